package entra

import (
	"net/http"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/internal/failharness"
	"github.com/attestdev/attest/internal/fake/entrafake"
)

// TestFailedCallsAreNeverNone answers each route of each Entra collector
// with 404, 403, 500 and no answer, and checks the run never ends complete
// with the evidence of the baseline.
func TestFailedCallsAreNeverNone(t *testing.T) {
	t.Parallel()
	failharness.Run(t, failharness.Setup{
		Handler: func() http.Handler {
			st := entrafake.DemoAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			st.PageSize = 2
			return entrafake.NewHandler(st)
		},
		Source: func(url string, hc *http.Client) collectors.Source {
			zero := 0
			return NewSource(Config{TenantID: entrafake.DemoTenant, GraphEndpoint: url, HTTPClient: hc,
				Credential: entrafake.Credential{Token: entrafake.DemoToken}, MaxRateLimitWaitSeconds: &zero})
		},
		Route: func(r *http.Request) string { return operationOf(r, "/v1.0") },
	})
}
