package aws

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

func replicated(tags map[string]string, rules ...awsfake.ReplicationRule) *awsfake.State {
	st := buckets("data")
	st.Protection.Replication = map[string][]awsfake.ReplicationRule{}
	if rules != nil {
		st.Protection.Replication["data"] = rules
	}
	if tags != nil {
		st.Protection.BucketTags = map[string]map[string]string{"data": tags}
	}
	return st
}

func TestS3Replication(t *testing.T) {
	t.Parallel()
	critical := map[string]string{"criticality": "critical", "team": "data"}
	runCases(t, []caseTest{
		{name: "critical and replicated", collector: "aws.s3", typ: S3BucketType,
			state: func() *awsfake.State {
				return replicated(critical,
					awsfake.ReplicationRule{ID: "dr", Enabled: true, Destination: "arn:aws:s3:::data-dr"},
					awsfake.ReplicationRule{ID: "old", Enabled: false, Destination: "arn:aws:s3:::data-old"},
					awsfake.ReplicationRule{ID: "analytics", Enabled: true, Destination: "arn:aws:s3:::data-analytics"})
			},
			wantNames: []string{"data"},
			wantAttrs: map[string]any{"critical": true, "replication_enabled": true, "tags": map[string]any{"criticality": "critical", "team": "data"},
				"replication_destinations": []any{"arn:aws:s3:::data-analytics", "arn:aws:s3:::data-dr"}}},
		{name: "only disabled rules", collector: "aws.s3", typ: S3BucketType,
			state: func() *awsfake.State {
				return replicated(map[string]string{"criticality": "low"}, awsfake.ReplicationRule{ID: "old", Destination: "arn:aws:s3:::data-old"})
			},
			wantNames: []string{"data"},
			wantAttrs: map[string]any{"critical": false, "replication_enabled": false, "replication_destinations": []any{}}},
		{name: "absent replication and tags", collector: "aws.s3", typ: S3BucketType,
			state:     func() *awsfake.State { return replicated(nil) },
			wantNames: []string{"data"},
			wantAttrs: map[string]any{"critical": false, "replication_enabled": false, "replication_destinations": []any{}, "tags": map[string]any{}}},
		{name: "denied replication", collector: "aws.s3", typ: S3BucketType,
			state: func() *awsfake.State {
				return withFault(replicated(critical), "s3:GetBucketReplication", "AccessDenied", http.StatusForbidden)
			},
			wantNames: []string{"data"},
			wantGaps:  map[string]evidence.FailureKind{"replication_enabled": evidence.Denied, "replication_destinations": evidence.Denied},
			wantAttrs: map[string]any{"critical": true}},
		{name: "throttled tagging", collector: "aws.s3", typ: S3BucketType,
			state: func() *awsfake.State {
				return withFault(replicated(critical), "s3:GetBucketTagging", "SlowDown", http.StatusServiceUnavailable)
			},
			wantNames: []string{"data"},
			wantGaps:  map[string]evidence.FailureKind{"critical": evidence.Throttled, "tags": evidence.Throttled},
			wantCalls: map[string]int{"s3:GetBucketTagging": 2}},
		{name: "cancelled replication", collector: "aws.s3", state: func() *awsfake.State { return replicated(nil) }, block: "s3:GetBucketReplication"},
		{name: "cancelled tagging", collector: "aws.s3", state: func() *awsfake.State { return replicated(nil) }, block: "s3:GetBucketTagging"},
	})
	listed := func(s *Source) { s.cfg.CriticalBuckets = []string{"data"} }
	runCases(t, []caseTest{
		{name: "a listed bucket stays critical when its tags are denied", collector: "aws.s3", typ: S3BucketType,
			state: func() *awsfake.State {
				return withFault(replicated(critical), "s3:GetBucketTagging", "AccessDenied", http.StatusForbidden)
			},
			wantNames: []string{"data"},
			wantGaps:  map[string]evidence.FailureKind{"tags": evidence.Denied},
			wantAttrs: map[string]any{"critical": true}},
	}, listed)
}

func TestS3CriticalConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  func(*Config)
		want map[string]any
		// tagging is the number of GetBucketTagging calls.
		tagging int
	}{
		{"default tag", func(*Config) {}, map[string]any{"data": true, "logs": false, "tmp": false}, 3},
		{"custom tag", func(c *Config) { c.CriticalBucketTag = TagConfig{Key: "tier", Value: "gold"} },
			map[string]any{"data": false, "logs": true, "tmp": false}, 3},
		{"listed bucket needs no tag", func(c *Config) { c.CriticalBuckets = []string{"tmp"} },
			map[string]any{"data": true, "logs": false, "tmp": true}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := buckets("data", "logs", "tmp")
			st.AccountID = testAccount
			st.Protection.BucketTags = map[string]map[string]string{
				"data": {"criticality": "critical"},
				"logs": {"tier": "gold", "criticality": "low"},
			}
			src := newFakeSource(t, st)
			tt.cfg(&src.cfg)
			out, err := collect(t.Context(), t, src, "aws.s3", "")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]any{}
			for name, r := range byName(out.resources, S3BucketType) {
				got[name] = r.Attributes["critical"]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("critical (-want +got):\n%s", diff)
			}
			if n := st.Calls("s3:GetBucketTagging"); n != tt.tagging {
				t.Errorf("GetBucketTagging calls = %d, want %d", n, tt.tagging)
			}
		})
	}
}
