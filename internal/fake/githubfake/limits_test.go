package githubfake

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

func TestLimitsPrimary(t *testing.T) {
	t.Parallel()
	l := &Limits{PerWindow: 2}
	h := l.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	var codes []int
	var remaining []string
	for range 3 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/repos/acme/api/branches/main/protection", nil))
		codes = append(codes, rec.Code)
		remaining = append(remaining, rec.Header().Get("X-RateLimit-Remaining"))
		if rec.Header().Get("X-RateLimit-Reset") == "" {
			t.Error("no X-RateLimit-Reset")
		}
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != http.StatusForbidden || remaining[1] != "0" || remaining[2] != "0" {
		t.Errorf("codes %v, remaining %v", codes, remaining)
	}
	if got := l.Operations()["GET /repos/{owner}/{repo}/branches/{branch}/protection"]; got != 3 || l.Throttled() != 1 {
		t.Errorf("operations %v, throttled %d", l.Operations(), l.Throttled())
	}
}

func TestLimitsSecondary(t *testing.T) {
	t.Parallel()
	l := &Limits{MaxConcurrent: 1}
	entered, release := make(chan struct{}), make(chan struct{})
	h := l.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		close(entered)
		<-release
	}))
	var wg sync.WaitGroup
	wg.Go(func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/orgs/acme", nil))
	})
	<-entered
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/orgs/acme", nil))
	close(release)
	wg.Wait()
	if rec.Code != http.StatusForbidden || rec.Header().Get("Retry-After") == "" {
		t.Errorf("concurrent request over the secondary limit: status %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
}
