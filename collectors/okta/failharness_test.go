package okta

import (
	"net/http"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/internal/failharness"
	"github.com/attestdev/attest/internal/fake/oktafake"
)

// TestFailedCallsAreNeverNone answers each route of each Okta collector
// with 404, 403, 500 and no answer, and checks the run never ends complete.
func TestFailedCallsAreNeverNone(t *testing.T) {
	t.Parallel()
	failharness.Run(t, failharness.Setup{
		Handler: func() http.Handler {
			return oktafake.NewHandler(oktafake.DemoAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
		},
		Source: func(url string, hc *http.Client) collectors.Source {
			zero := 0
			return NewSource(Config{OrgURL: url, Token: oktafake.DemoToken, HTTPClient: hc, MaxRateLimitWaitSeconds: &zero})
		},
		Route: func(r *http.Request) string { op, _ := operation(r); return op },
	})
}
