package aws

import (
	"net/http"
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

// trailBucket has one trail whose log bucket is name, holding the
// account's buckets of trails().
func trailBucket(name string) func() *awsfake.State {
	return func() *awsfake.State {
		st := trails()
		st.Trails = []awsfake.Trail{{Name: "main", HomeRegion: "eu-central-1", MultiRegion: true, Logging: true, S3Bucket: name}}
		return st
	}
}

func TestCloudTrailLogBucket(t *testing.T) {
	t.Parallel()
	const c, r = "aws.cloudtrail", "eu-central-1"
	const location, pab, logging = "s3:GetBucketLocation", "s3:GetPublicAccessBlock", "s3:GetBucketLogging"
	open := func() *awsfake.State { return trailBucket("stopped-trail-logs")() }
	accountBlocked := func() *awsfake.State {
		st := open()
		st.Protection.AccountPublicAccessBlock = &awsfake.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
		return st
	}
	both := map[string]evidence.FailureKind{logBucketBlocked: evidence.Denied, logBucketLogging: evidence.Denied}
	runCases(t, []caseTest{
		{name: "protected bucket in another region", collector: c, region: r, typ: TrailType, state: trailBucket("main-trail-logs"),
			wantNames: []string{"main"},
			wantAttrs: map[string]any{"log_bucket": "main-trail-logs", logBucketBlocked: true, logBucketLogging: true},
			wantCalls: map[string]int{location: 1, pab: 1, logging: 1, "s3control:GetPublicAccessBlock": 0}},
		{name: "open bucket without logging", collector: c, region: r, typ: TrailType, state: open,
			wantNames: []string{"main"},
			wantAttrs: map[string]any{"log_bucket": "stopped-trail-logs", logBucketBlocked: false, logBucketLogging: false},
			wantCalls: map[string]int{"s3control:GetPublicAccessBlock": 1}},
		{name: "blocked account-wide", collector: c, region: r, typ: TrailType, state: accountBlocked,
			wantNames: []string{"main"},
			wantAttrs: map[string]any{logBucketBlocked: true, logBucketLogging: false}},
		{name: "bucket of another account", collector: c, region: r, typ: TrailType,
			state: func() *awsfake.State {
				st := trailBucket("archive-trail-logs")()
				st.Members = map[string]*awsfake.State{"444455556666": {AccountID: "444455556666", Buckets: []awsfake.Bucket{{Name: "archive-trail-logs", Region: r}}}}
				return st
			},
			wantNames: []string{"main"}, wantGaps: both},
		{name: "bucket gone", collector: c, region: r, typ: TrailType, state: trailBucket("deleted-trail-logs"),
			wantNames: []string{"main"},
			wantGaps:  map[string]evidence.FailureKind{logBucketBlocked: evidence.Errored, logBucketLogging: evidence.Errored}},
		{name: "location denied", collector: c, region: r, typ: TrailType,
			state: func() *awsfake.State {
				return withFault(trailBucket("main-trail-logs")(), location, "AccessDenied", http.StatusForbidden)
			},
			wantNames: []string{"main"}, wantGaps: both},
		{name: "public access block denied", collector: c, region: r, typ: TrailType,
			state: func() *awsfake.State {
				return withFault(trailBucket("main-trail-logs")(), pab, "AccessDenied", http.StatusForbidden)
			},
			wantNames: []string{"main"},
			wantAttrs: map[string]any{logBucketLogging: true},
			wantGaps:  map[string]evidence.FailureKind{logBucketBlocked: evidence.Denied}},
		{name: "account block denied", collector: c, region: r, typ: TrailType,
			state: func() *awsfake.State {
				return withFault(open(), "s3control:GetPublicAccessBlock", "AccessDenied", http.StatusForbidden)
			},
			wantNames: []string{"main"},
			wantGaps:  map[string]evidence.FailureKind{logBucketBlocked: evidence.Denied}},
		{name: "logging throttled", collector: c, region: r, typ: TrailType,
			state: func() *awsfake.State {
				return withFault(trailBucket("main-trail-logs")(), logging, "SlowDown", http.StatusServiceUnavailable)
			},
			wantNames: []string{"main"},
			wantAttrs: map[string]any{logBucketBlocked: true},
			wantGaps:  map[string]evidence.FailureKind{logBucketLogging: evidence.Throttled}},
		{name: "cancelled", collector: c, region: r, state: trailBucket("main-trail-logs"), block: logging},
	})
}
