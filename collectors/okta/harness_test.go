package okta

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

var testNow = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// reply is a canned response. Body is a fixture file under testdata.
type reply struct {
	Status int
	Body   string
	Header map[string]string
	// Block makes the handler signal on it and wait until the request is
	// cancelled.
	Block chan struct{}
}

// fixtures map "PATH" or "PATH?QUERY" (sorted, without limit) to a reply.
type fixtures map[string]reply

func (f fixtures) with(over fixtures) fixtures {
	out := fixtures{}
	for k, v := range f {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// newServer starts a fail-closed fake Okta: any request that is not an
// authenticated GET of a listed route fails the test and gets a 500.
func newServer(t *testing.T, fx fixtures) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("non-read request %s %s", r.Method, r.URL)
			http.Error(w, "read-only", http.StatusInternalServerError)
			return
		}
		if got := r.Header.Get("Authorization"); got != "SSWS test-token" {
			t.Errorf("Authorization = %q", got)
		}
		q := r.URL.Query()
		q.Del("limit")
		key := r.URL.Path
		if len(q) > 0 {
			key += "?" + q.Encode()
		}
		rep, ok := fx[key]
		if !ok {
			t.Errorf("unexpected request %s %s (key %s)", r.Method, r.URL, key)
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
		w.Header().Set("Content-Type", "application/json")
		body, err := os.ReadFile(filepath.Join("testdata", rep.Body))
		if err != nil {
			t.Errorf("fixture: %v", err)
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

var (
	forbidden   = reply{Status: 403, Body: "error_forbidden.json"}
	missing     = reply{Status: 404, Body: "error_not_found.json"}
	rateLimited = reply{Status: 429, Body: "error_rate_limit.json", Header: map[string]string{
		"X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "1577836860",
	}}
)

func testSource(srv *httptest.Server) *Source {
	zero := 0
	return NewSource(Config{
		OrgURL: srv.URL, Token: "test-token", HTTPClient: srv.Client(),
		MaxRateLimitWaitSeconds: &zero, Now: func() time.Time { return testNow },
	})
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

// byType returns the emitted resources of typ with records and gap
// messages cleared.
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

func blocking() (reply, chan struct{}) {
	c := make(chan struct{}, 1)
	return reply{Block: c}, c
}

// run runs collector id of src. When started is not nil, the context is
// cancelled as soon as a blocking handler signals on it.
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
	jobs, err := src.Plan(ctx, func(string) bool { return true })
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	s := &sink{}
	return s, c.Collect(ctx, jobs[0].Target, s)
}

func kindOf(err error) evidence.FailureKind {
	if err == nil {
		return ""
	}
	return collectors.Classify(err)
}
