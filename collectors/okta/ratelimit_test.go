package okta

import (
	"strings"
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
)

// TestRateLimitBeyondTheBoundNamesTheLimit checks that a 429 whose reset
// lies beyond the configured wait ends as throttled at once, naming the
// limit and the bound.
func TestRateLimitBeyondTheBoundNamesTheLimit(t *testing.T) {
	t.Parallel()
	srv := newServer(t, fixtures{"/api/v1/users": rateLimited})
	_, err := run(t, testSource(srv), "okta.users", nil)
	if kindOf(err) != evidence.Throttled {
		t.Fatalf("err %v (kind %s), want throttled", err, kindOf(err))
	}
	for _, want := range []string{"Okta rate limit of 600 requests per minute for GET /api/v1/users", "configured bound of 0s"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
