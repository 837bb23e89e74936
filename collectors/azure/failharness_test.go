package azure

import (
	"net/http"
	"testing"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/internal/failharness"
	"github.com/attestdev/attest/internal/fake/azurefake"
)

// TestFailedCallsAreNeverNone answers each route of each Azure collector
// with 404, 403, 500 and no answer, and checks no run ends complete.
func TestFailedCallsAreNeverNone(t *testing.T) {
	t.Parallel()
	failharness.Run(t, failharness.Setup{
		Handler: func() http.Handler { return azurefake.NewHandler(azurefake.Demo()) },
		Source: func(url string, hc *http.Client) collectors.Source {
			zero, one := 0, 1
			return NewSource(Config{Subscriptions: []string{azurefake.DemoSubscription}, Endpoint: url, HTTPClient: hc,
				Credential: azurefake.Credential{Token: azurefake.DemoToken}, Retries: &zero, MaxRetryWaitSeconds: &one})
		},
		Route: func(r *http.Request) string { return actionOf(r.URL.Path) },
	})
}
