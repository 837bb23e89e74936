package github

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// testNow is the clock of the fixture tests.
var testNow = time.Date(2011, 2, 1, 0, 0, 0, 0, time.UTC)

// reply is a canned response. Body is a fixture path under testdata, or
// inline JSON when it starts with "[" or "{".
type reply struct {
	Status int
	Body   string
	Header map[string]string
	// Block, when set, makes the handler signal on it and wait until the
	// request is cancelled.
	Block chan struct{}
}

// fixtures map "PATH" or "PATH?QUERY" (sorted, without per_page and page=1)
// to a reply. A "{server}" in a header
// value is replaced by the server's URL.
type fixtures map[string]reply

// newServer starts a fail-closed fake GitHub: any request that is not a GET
// of a listed route fails the test and gets a 500.
func newServer(t *testing.T, fx fixtures) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("non-read request %s %s", r.Method, r.URL)
			http.Error(w, "read-only", http.StatusInternalServerError)
			return
		}
		key := r.URL.EscapedPath()
		q := r.URL.Query()
		q.Del("per_page")
		if q.Get("page") == "1" {
			q.Del("page")
		}
		if len(q) > 0 {
			key += "?" + q.Encode()
		}
		rep, ok := fx[key]
		if !ok {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.Error(w, "unexpected", http.StatusInternalServerError)
			return
		}
		if rep.Block != nil {
			select {
			case rep.Block <- struct{}{}:
			default:
			}
			<-r.Context().Done()
			return
		}
		for k, v := range rep.Header {
			w.Header().Set(k, strings.ReplaceAll(v, "{server}", "http://"+r.Host))
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		body := []byte(rep.Body)
		if rep.Body != "" && !strings.HasPrefix(rep.Body, "[") && !strings.HasPrefix(rep.Body, "{") {
			var err error
			if body, err = os.ReadFile(filepath.Join("testdata", rep.Body)); err != nil {
				t.Errorf("fixture: %v", err)
			}
		}
		w.WriteHeader(cmpOr(rep.Status, http.StatusOK))
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// next is a Link header pointing at page 2 of path, like GitHub's.
func next(path string) map[string]string {
	return map[string]string{"Link": `<{server}` + path + `?per_page=100&page=2>; rel="next", <{server}` + path + `?per_page=100&page=2>; rel="last"`}
}

// Common error replies.
var (
	forbidden = reply{Status: 403, Body: "errors/forbidden.json", Header: map[string]string{
		"X-Accepted-GitHub-Permissions": "members=read",
	}}
	rateLimited = reply{Status: 403, Body: "errors/rate_limited.json", Header: map[string]string{
		"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800", "X-RateLimit-Resource": "core",
	}}
	secondaryLimited = reply{Status: 429, Body: "errors/secondary_rate_limited.json", Header: map[string]string{"Retry-After": "3600"}}
)

func testSource(srv *httptest.Server, mod func(*Config)) *Source {
	zero := 0
	cfg := Config{
		Orgs: []string{"octo-org"}, BaseURL: srv.URL + "/", Token: "test-token", HTTPClient: srv.Client(),
		MaxRateLimitWaitSeconds: &zero, Now: func() time.Time { return testNow },
	}
	if mod != nil {
		mod(&cfg)
	}
	return NewSource(cfg)
}

// sink records what a collector emits.
type sink struct {
	mu        sync.Mutex
	resources []evidence.Resource
	failures  []evidence.Failure
}

func (s *sink) Emit(r evidence.Resource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resources = append(s.resources, r)
}

func (s *sink) Fail(f evidence.Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, f)
}

// byType returns the emitted resources of typ with records cleared.
func (s *sink) byType(typ string) []evidence.Resource {
	var out []evidence.Resource
	for _, r := range s.resources {
		if r.Type == typ {
			r.Records = nil
			for i := range r.Gaps {
				r.Gaps[i].Message = ""
			}
			out = append(out, r)
		}
	}
	return out
}

func (s *sink) kinds() []evidence.FailureKind {
	var out []evidence.FailureKind
	for _, f := range s.failures {
		out = append(out, f.Kind)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// blocking returns a reply that blocks until cancelled and the channel it
// signals on.
func blocking() (reply, chan struct{}) {
	c := make(chan struct{}, 1)
	return reply{Block: c}, c
}

// run runs collector id of src against the test org. When started is not
// nil, the context is cancelled as soon as a blocking handler signals on it.
func run(t *testing.T, src *Source, id string, started chan struct{}) (*sink, error) {
	t.Helper()
	ctx := t.Context()
	if started != nil {
		var stop context.CancelFunc
		ctx, stop = context.WithCancel(ctx)
		defer stop()
		go func() {
			select {
			case <-started:
				stop()
			case <-ctx.Done():
			}
		}()
	}
	var c collectors.Collector
	for _, x := range src.Collectors() {
		if x.Describe().ID == id {
			c = x
		}
	}
	if c == nil {
		t.Fatalf("no collector %s", id)
	}
	s := &sink{}
	err := c.Collect(ctx, evidence.Target{Source: "github", Account: "octo-org"}, s)
	return s, err
}
