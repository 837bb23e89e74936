package gitlab

import (
	"net/http"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/internal/failharness"
	"github.com/attestdev/attest/internal/fake/gitlabfake"
)

// TestFailedCallsAreNeverNone answers each route of each GitLab collector
// with 404, 403, 500 and no answer, and checks the run never ends complete
// with the baseline's evidence (a 404 of a route named in
// NotFoundIsEvidence aside).
func TestFailedCallsAreNeverNone(t *testing.T) {
	t.Parallel()
	failharness.Run(t, failharness.Setup{
		Handler: func() http.Handler {
			// Two items a page and one stale pipeline, so the baseline also
			// takes scanning's REST routes: the jobs of a pipeline with more
			// jobs than the GraphQL page, and the head commit's pipeline.
			st := gitlabfake.DemoAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			st.MaxPerPage = 2
			for _, p := range st.Groups[0].Projects {
				if p.Path == "web" {
					p.Pipeline.Stale = true
				}
			}
			return gitlabfake.NewHandler(st)
		},
		Source: func(url string, hc *http.Client) collectors.Source {
			zero := 0
			return NewSource(Config{Groups: []string{gitlabfake.DemoGroup}, BaseURL: url, Token: "glpat-test", HTTPClient: hc, MaxRateLimitWaitSeconds: &zero,
				Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
		},
		Route: func(r *http.Request) string { op, _ := operation(r); return op },
		NotFoundIsEvidence: map[string]string{
			opLatestPipeline: "GitLab answers 404 when no pipeline ran on the ref: no scanner ran",
		},
	})
}
