package aws

import (
	"log/slog"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors"
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

// TestS3ReplicationPlanned runs aws.s3 through the runner with the reads
// of the enabled rules: replication is read only of the buckets a rule
// reads it of, and the run records what was left out.
func TestS3ReplicationPlanned(t *testing.T) {
	t.Parallel()
	replAttrs := []string{"replication_destinations", "replication_enabled"}
	tests := []struct {
		name  string
		reads evidence.Reads
		// calls is the number of GetBucketReplication calls; replicated,
		// the buckets that have replication attributes.
		calls      int
		replicated []string
		left       []evidence.Uncollected
	}{
		{name: "no plan reads everything", reads: nil, calls: 3, replicated: []string{"data", "logs", "tmp"}},
		{name: "no enabled rule reads replication",
			reads: evidence.Reads{S3BucketType: {"versioning": {All: true}}}, calls: 0,
			left: []evidence.Uncollected{{Type: S3BucketType, Attribute: "replication_destinations"}, {Type: S3BucketType, Attribute: "replication_enabled"}}},
		{name: "read of critical buckets only",
			reads: evidence.Reads{S3BucketType: {"critical": {All: true}, "replication_enabled": {Where: []string{"critical"}}}}, calls: 1,
			replicated: []string{"data"},
			left: []evidence.Uncollected{{Type: S3BucketType, Attribute: "replication_destinations"},
				{Type: S3BucketType, Attribute: "replication_enabled", Except: "critical"}}},
		{name: "read of every bucket",
			reads: evidence.Reads{S3BucketType: {"replication_destinations": {All: true}}}, calls: 3, replicated: []string{"data", "logs", "tmp"}},
		{name: "a rule reading every attribute",
			reads: evidence.Reads{S3BucketType: {evidence.AllAttributes: {All: true}}}, calls: 3, replicated: []string{"data", "logs", "tmp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := buckets("data", "logs", "tmp")
			st.AccountID = testAccount
			st.Protection.BucketTags = map[string]map[string]string{"data": {"criticality": "critical"}}
			src := newFakeSource(t, st)
			if _, err := collect(t.Context(), t, src, "aws.s3", ""); err != nil { // sets up the account
				t.Fatal(err)
			}
			before := st.Calls("s3:GetBucketReplication")
			var c collectors.Collector
			for _, x := range src.Collectors() {
				if x.Describe().ID == "aws.s3" {
					c = x
				}
			}
			dir := t.TempDir()
			w, err := evidence.Create(dir)
			if err != nil {
				t.Fatal(err)
			}
			r := &collectors.Runner{Writer: w, Reads: tt.reads, Log: slog.New(slog.DiscardHandler)}
			runs := r.Run(t.Context(), []collectors.Job{{Collector: c, Target: evidence.Target{Source: SourceName, Account: testAccount}}})
			if err := w.Close(evidence.Manifest{}); err != nil {
				t.Fatal(err)
			}
			if len(runs) != 1 || runs[0].Status != evidence.Complete {
				t.Fatalf("runs = %+v", runs)
			}
			if n := st.Calls("s3:GetBucketReplication") - before; n != tt.calls {
				t.Errorf("GetBucketReplication calls = %d, want %d", n, tt.calls)
			}
			if diff := cmp.Diff(tt.left, runs[0].Uncollected); diff != "" {
				t.Errorf("uncollected (-want +got):\n%s", diff)
			}
			b, err := evidence.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for name, res := range byName(b.Resources, S3BucketType) {
				n := 0
				for _, a := range replAttrs {
					if _, ok := res.Attributes[a]; ok {
						n++
					}
				}
				if n == len(replAttrs) {
					got = append(got, name)
				} else if n != 0 {
					t.Errorf("%s has %d of the replication attributes", name, n)
				}
			}
			slices.Sort(got)
			if diff := cmp.Diff(tt.replicated, got); diff != "" {
				t.Errorf("buckets with replication attributes (-want +got):\n%s", diff)
			}
		})
	}
}
