package gcp

import (
	"net/http"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/internal/failharness"
	"github.com/attestdev/attest/internal/fake/gcpfake"
)

// TestFailedCallsAreNeverNone answers each route of each Google Cloud
// collector with 404, 403, 500 and no answer, and checks the run never
// ends complete (a 404 of a route named in NotFoundIsEvidence aside).
func TestFailedCallsAreNeverNone(t *testing.T) {
	t.Parallel()
	failharness.Run(t, failharness.Setup{
		Handler: func() http.Handler {
			return gcpfake.NewHandler(gcpfake.DemoAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
		},
		Source: func(url string, hc *http.Client) collectors.Source {
			zero := 0
			return NewSource(Config{Parents: []string{gcpfake.DemoParent}, Endpoint: url, HTTPClient: hc,
				Environments: gcpfake.DemoEnvironments(), Retries: &zero, MaxRetryWaitSeconds: &zero})
		},
		Route: func(r *http.Request) string { op, _ := operation(r); return op },
		NotFoundIsEvidence: map[string]string{
			"iam.serviceAccountKeys.list": "the service account listed a moment before was deleted, and its keys with it",
		},
	})
}
