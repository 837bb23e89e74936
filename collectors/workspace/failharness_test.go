package workspace

import (
	"net/http"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/internal/failharness"
	"github.com/attestdev/attest/internal/fake/workspacefake"
)

// TestFailedCallsAreNeverNone answers each route of each Workspace
// collector with 404, 403, 500 and no answer, and checks the run never
// ends complete.
func TestFailedCallsAreNeverNone(t *testing.T) {
	t.Parallel()
	failharness.Run(t, failharness.Setup{
		Handler: func() http.Handler {
			return workspacefake.NewHandler(workspacefake.DemoAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
		},
		Source: func(url string, hc *http.Client) collectors.Source {
			zero := 0
			return NewSource(Config{Customer: workspacefake.DemoCustomer, Endpoint: url + "/", HTTPClient: hc, Retries: &zero, MaxRetryWaitSeconds: &zero})
		},
		Route: func(r *http.Request) string { op, _ := operation(r); return op },
		NotFoundIsEvidence: map[string]string{
			"directory.tokens.list": "the Directory API answers 404 for a user deleted after the user list was read: the run records the user as skipped",
		},
	})
}
