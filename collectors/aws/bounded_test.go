package aws

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/hangtest"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

// TestHangingEndpointTimesOut checks that an AWS endpoint that accepts
// connections and never answers ends planning with a timeout within the
// per-call deadline and the retries, instead of hanging: the deadline of
// the injected client now bounds each attempt.
func TestHangingEndpointTimesOut(t *testing.T) {
	t.Parallel()
	src := NewSource(Config{
		AWS: sdkConfig("http://"+hangtest.Addr(t), &http.Client{Timeout: 200 * time.Millisecond}), Regions: []string{"eu-central-1"},
		AllowedRegions: []string{"eu-central-1"}, MaxAttempts: 2, MaxBackoff: time.Millisecond,
	})
	start := time.Now()
	_, err := src.Plan(t.Context(), func(string) bool { return true })
	if err == nil {
		t.Fatal("planning against a silent endpoint succeeded")
	}
	if k := collectors.Classify(err); k != evidence.Timeout {
		t.Errorf("kind %s, want timeout (%v)", k, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
}

// TestThrottlingEndsThrottled checks that a call the SDK's retryer gives
// up on after throttling ends as throttled, naming the operation, whatever
// the throttling code, not as a generic error.
func TestThrottlingEndsThrottled(t *testing.T) {
	t.Parallel()
	for _, f := range []awsfake.Fault{
		{Status: 400, Code: "Throttling"},
		{Status: 400, Code: "ThrottlingException"},
		{Status: 429, Code: "TooManyRequestsException"},
		{Status: 503, Code: "SlowDown"},
		{Status: 400, Code: "RequestLimitExceeded"},
	} {
		t.Run(f.Code, func(t *testing.T) {
			t.Parallel()
			st := awsfake.Demo()
			st.Faults = map[string]awsfake.Fault{"iam:GetAccountAuthorizationDetails": f}
			st.Errorf = t.Errorf
			srv := httptest.NewServer(awsfake.NewHandler(st))
			t.Cleanup(srv.Close)
			src := NewSource(Config{
				AWS: sdkConfig(srv.URL, srv.Client()), Regions: []string{"eu-central-1"},
				AllowedRegions: []string{"eu-central-1"}, MaxAttempts: 3, MaxBackoff: time.Millisecond,
			})
			_, err := collect(t.Context(), t, src, "aws.iam.groups", "")
			if err == nil {
				t.Fatal("no error")
			}
			fl := collectors.FailureOf(err, "")
			if fl.Kind != evidence.Throttled || fl.Operation != "iam:GetAccountAuthorizationDetails" {
				t.Errorf("failure %+v, want throttled on iam:GetAccountAuthorizationDetails", fl)
			}
		})
	}
}
