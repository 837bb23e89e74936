package aws

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRateLimitsSpaceCalls(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	l := newRateLimits(map[string]float64{"s3": 10, "s3:GetBucketPolicy": 2, "iam": 1})
	var waits []time.Duration
	l.now = func() time.Time { return t0 }
	l.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	for _, c := range []struct{ region, action string }{
		{"eu-central-1", "s3:GetBucketTagging"}, {"eu-central-1", "s3:GetBucketEncryption"}, {"eu-central-1", "s3:GetBucketTagging"},
		{"eu-central-1", "s3:GetBucketPolicy"}, {"eu-central-1", "s3:GetBucketPolicy"}, // the action's own limit
		{"us-east-1", "s3:GetBucketTagging"}, // another region, another budget
		{"eu-central-1", "kms:ListKeys"},     // no limit
	} {
		if err := l.wait(t.Context(), c.region, c.action); err != nil {
			t.Fatal(err)
		}
	}
	ms := time.Millisecond
	want := []time.Duration{0, 100 * ms, 200 * ms, 0, 500 * ms, 0}
	if diff := cmp.Diff(want, waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestCheckRateLimit(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"iam", "s3:GetBucketPolicy", "elasticloadbalancing"} {
		if err := CheckRateLimit(ok, 5); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for key, v := range map[string]float64{"S3 Control": 5, "s3:": 5, "iam": 0, "kms": -1} {
		if err := CheckRateLimit(key, v); err == nil {
			t.Errorf("%s: %v: want an error", key, v)
		}
	}
}

// TestRateLimitsApplyToSDKCalls checks that a planned account's clients
// wait for aws.rate_limits: with one kms call every 10 seconds, the kms
// collector's second call cannot start before the deadline.
func TestRateLimitsApplyToSDKCalls(t *testing.T) {
	t.Parallel()
	st := kmsKeys()
	src := newFakeSource(t, st)
	src.cfg.RateLimits = map[string]float64{"kms": 0.1}
	jobs, err := src.Plan(t.Context(), func(id string) bool { return id == "aws.kms" })
	if err != nil || len(jobs) != 1 {
		t.Fatalf("plan: %v %v", jobs, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	err = jobs[0].Collector.Collect(ctx, jobs[0].Target, &testSink{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline while waiting for the rate limit", err)
	}
	if got := st.Calls("kms:ListKeys"); got != 1 {
		t.Errorf("kms:ListKeys calls = %d, want 1", got)
	}
	if n := st.Calls("kms:DescribeKey"); n != 0 {
		t.Errorf("kms:DescribeKey calls = %d, want none within the limit", n)
	}
	// Without limits the same collection completes.
	src = newFakeSource(t, kmsKeys())
	jobs, _ = src.Plan(t.Context(), func(id string) bool { return id == "aws.kms" })
	if err := jobs[0].Collector.Collect(t.Context(), jobs[0].Target, &testSink{}); err != nil {
		t.Errorf("unlimited: %v", err)
	}
}
