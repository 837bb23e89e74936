package githubfake

import (
	"net/http"
	"net/http/httptest"
	"strings"
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

func TestLimitsSecondaryPoints(t *testing.T) {
	t.Parallel()
	l := &Limits{RESTPointsPerMinute: 6, GraphQLPointsPerMinute: 1}
	h := l.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	do := func(method, path, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(body)))
		return rec
	}
	if rec := do(http.MethodPost, "/repos/acme/api/issues", ""); rec.Code != http.StatusOK {
		t.Fatalf("a POST (5 points) within 6: status %d", rec.Code)
	}
	if rec := do(http.MethodGet, "/orgs/acme", ""); rec.Code != http.StatusOK {
		t.Fatalf("a GET (1 point), 6 of 6: status %d", rec.Code)
	}
	rec := do(http.MethodGet, "/orgs/acme", "")
	if rec.Code != http.StatusForbidden || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "secondary rate limit") {
		t.Errorf("a GET over 6 points: status %d, Retry-After %q, body %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if rec := do(http.MethodPost, "/graphql", `{"query":"query { viewer { login } }"}`); rec.Code != http.StatusOK {
		t.Errorf("GraphQL has its own points: status %d", rec.Code)
	}
	if rec := do(http.MethodPost, "/graphql", `{"query":"query { viewer { login } }"}`); rec.Code != http.StatusForbidden {
		t.Errorf("a second query over 1 point: status %d", rec.Code)
	}
	if l.Throttled() != 2 || l.Calls() != 5 {
		t.Errorf("throttled %d, calls %d", l.Throttled(), l.Calls())
	}
}

func TestQueryCost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		query string
		vars  map[string]any
		want  int
	}{
		{"query { viewer { login } }", nil, 1},
		// GitHub's documented example: 1 + 100 + 100×50 requests = 51 points.
		{`query { viewer { login repositories(first: 100) { edges { node { id issues(first: 50) { edges { node { id labels(first: 60) { edges { node { id } } } } } } } } } } }`, nil, 51},
		{`query($n: Int) { organization(login: "a") { repositories(first: $n) { nodes { vulnerabilityAlerts(first: 100) { nodes { id } } } } } }`, map[string]any{"n": float64(50)}, 1},
	} {
		if got := QueryCost(tc.query, tc.vars); got != tc.want {
			t.Errorf("QueryCost(%q) = %d, want %d", tc.query, got, tc.want)
		}
	}
}
