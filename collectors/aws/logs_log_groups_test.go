package aws

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

func logGroups() *awsfake.State {
	const eu = "eu-central-1"
	return &awsfake.State{LogGroups: []awsfake.LogGroup{
		{Name: "/aws/lambda/a", Region: eu, RetentionDays: 365},
		{Name: "/aws/lambda/b", Region: eu, RetentionDays: 30},
		{Name: "/ecs/c", Region: eu},
		{Name: "/us/d", Region: "us-east-1", RetentionDays: 7},
	}}
}

func TestLogGroups(t *testing.T) {
	t.Parallel()
	const c, r = "aws.logs.log_groups", "eu-central-1"
	names := []string{"/aws/lambda/a", "/aws/lambda/b", "/ecs/c"}
	runCases(t, []caseTest{
		{name: "happy", collector: c, region: r, typ: LogGroupType, state: logGroups, wantNames: names,
			wantAttrs: map[string]any{"retention_days": 365, "stored_bytes": 1024}},
		{name: "two pages", collector: c, region: r, typ: LogGroupType,
			state: func() *awsfake.State {
				st := logGroups()
				st.PageSize = 2
				return st
			},
			wantNames: names, wantCalls: map[string]int{"logs:DescribeLogGroups": 2}},
		{name: "empty", collector: c, region: r, typ: LogGroupType, state: func() *awsfake.State { return &awsfake.State{} }},
		{name: "absent", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(logGroups(), "logs:DescribeLogGroups", "ResourceNotFoundException", http.StatusNotFound)
			},
			wantErr: evidence.Errored},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(logGroups(), "logs:DescribeLogGroups", "AccessDeniedException", http.StatusBadRequest)
			},
			wantErr: evidence.Denied, wantPermission: "logs:DescribeLogGroups"},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(logGroups(), "logs:DescribeLogGroups", "ThrottlingException", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"logs:DescribeLogGroups": 2}},
		{name: "cancelled", collector: c, region: r, state: logGroups, block: "logs:DescribeLogGroups"},
	})
}

func TestLogGroupsNeverExpire(t *testing.T) {
	t.Parallel()
	st := logGroups()
	st.AccountID = testAccount
	out, err := collect(t.Context(), t, newFakeSource(t, st), "aws.logs.log_groups", "eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for name, r := range byName(out.resources, LogGroupType) {
		got[name] = r.Attributes["retention_days"]
	}
	want := map[string]any{"/aws/lambda/a": 365, "/aws/lambda/b": 30, "/ecs/c": 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("retention_days (-want +got):\n%s", diff)
	}
}
