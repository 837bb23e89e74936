package aws

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

func dbSnapshots() *awsfake.State {
	const eu = "eu-central-1"
	return &awsfake.State{DBSnapshots: []awsfake.DBSnapshot{
		{ID: "orders-2026-11-01", Region: eu, DB: "orders-db", Public: true},
		{ID: "orders-2026-11-02", Region: eu, DB: "orders-db"},
		{ID: "orders-2026-11-03", Region: eu, DB: "orders-db"},
		{ID: "us-1", Region: "us-east-1", DB: "us-db", Public: true},
	}}
}

func TestRDSPublicSnapshots(t *testing.T) {
	t.Parallel()
	const c, r = "aws.rds.snapshots", "eu-central-1"
	names := []string{"orders-2026-11-01", "orders-2026-11-02", "orders-2026-11-03"}
	runCases(t, []caseTest{
		{name: "happy", collector: c, region: r, typ: RDSSnapshotType, state: dbSnapshots, wantNames: names,
			wantAttrs: map[string]any{"public": true, "encrypted": false},
			wantCalls: map[string]int{"rds:DescribeDBSnapshots": 1, "rds:DescribeDBSnapshotAttributes": 3}},
		{name: "two pages", collector: c, region: r, typ: RDSSnapshotType,
			state: func() *awsfake.State {
				st := dbSnapshots()
				st.PageSize = 2
				return st
			},
			wantNames: names, wantCalls: map[string]int{"rds:DescribeDBSnapshots": 2, "rds:DescribeDBSnapshotAttributes": 3}},
		{name: "empty", collector: c, region: r, typ: RDSSnapshotType, state: func() *awsfake.State { return &awsfake.State{} },
			wantCalls: map[string]int{"rds:DescribeDBSnapshotAttributes": 0}},
		{name: "deleted after listing", collector: c, region: r, typ: RDSSnapshotType,
			state: func() *awsfake.State {
				st := dbSnapshots()
				st.DBSnapshots[0].Gone = true
				return st
			},
			wantNames: names[1:], wantAttrs: map[string]any{"public": false}},
		{name: "denied listing", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(dbSnapshots(), "rds:DescribeDBSnapshots", "AccessDenied", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "rds:DescribeDBSnapshots"},
		{name: "denied attributes", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(dbSnapshots(), "rds:DescribeDBSnapshotAttributes", "AccessDenied", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "rds:DescribeDBSnapshotAttributes"},
		{name: "throttled listing", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(dbSnapshots(), "rds:DescribeDBSnapshots", "Throttling", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"rds:DescribeDBSnapshots": 2}},
		{name: "throttled attributes", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(dbSnapshots(), "rds:DescribeDBSnapshotAttributes", "Throttling", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"rds:DescribeDBSnapshotAttributes": 2}},
		{name: "cancelled listing", collector: c, region: r, state: dbSnapshots, block: "rds:DescribeDBSnapshots"},
		{name: "cancelled attributes", collector: c, region: r, state: dbSnapshots, block: "rds:DescribeDBSnapshotAttributes"},
	})
}

func TestRDSPublicSnapshotsAttributes(t *testing.T) {
	t.Parallel()
	st := dbSnapshots()
	st.AccountID = testAccount
	out, err := collect(t.Context(), t, newFakeSource(t, st), "aws.rds.snapshots", "eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for name, r := range byName(out.resources, RDSSnapshotType) {
		got[name] = r.Attributes["public"]
	}
	want := map[string]any{"orders-2026-11-01": true, "orders-2026-11-02": false, "orders-2026-11-03": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("public (-want +got):\n%s", diff)
	}
}
