// Package gcptest is the test harness of the Google Cloud and Workspace
// sources: a fail-closed fixture server speaking the Google REST error and
// paging shapes, and a sink that records what a collector emits.
package gcptest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// A Reply is a canned response. Body is a fixture file under testdata.
type Reply struct {
	Status int
	Body   string
	Header map[string]string
	// Block makes the handler signal on it and wait until the request is
	// cancelled.
	Block chan struct{}
}

// Fixtures map "METHOD PATH" or "METHOD PATH?QUERY" (query sorted, without
// the ignored parameters) to a reply.
type Fixtures map[string]Reply

// With returns a copy of f with over applied.
func (f Fixtures) With(over Fixtures) Fixtures {
	out := Fixtures{}
	for k, v := range f {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// Ignored query parameters: client-added ones that do not select data.
var ignored = []string{"alt", "prettyPrint", "maxResults", "pageSize", "projection", "orderBy"}

// NewServer starts a fail-closed fixture server. Only GET requests, and
// POSTs to paths in readPosts (read methods such as :getIamPolicy), are
// allowed; any other request or an unlisted route fails the test with 500.
func NewServer(t *testing.T, fx Fixtures, readPosts ...string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && !(r.Method == http.MethodPost && slices.ContainsFunc(readPosts, func(s string) bool { return strings.HasSuffix(r.URL.Path, s) })) {
			t.Errorf("non-read request %s %s", r.Method, r.URL)
			http.Error(w, "read-only", http.StatusInternalServerError)
			return
		}
		q := r.URL.Query()
		for _, k := range ignored {
			q.Del(k)
		}
		key := r.Method + " " + r.URL.Path
		if len(q) > 0 {
			key += "?" + q.Encode()
		}
		rep, ok := fx[key]
		if !ok {
			t.Errorf("unexpected request %s %s (key %q)", r.Method, r.URL, key)
			http.Error(w, "unexpected", http.StatusInternalServerError)
			return
		}
		if rep.Block != nil {
			// Read the body so that the server notices the client going away.
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case rep.Block <- struct{}{}:
			default:
			}
			<-r.Context().Done()
			return
		}
		for k, v := range rep.Header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		body, err := os.ReadFile(filepath.Join("testdata", rep.Body))
		if err != nil {
			t.Errorf("fixture: %v", err)
		}
		status := rep.Status
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Key returns the fixture key of a request.
func Key(method, path string, q url.Values) string {
	if len(q) == 0 {
		return method + " " + path
	}
	return method + " " + path + "?" + q.Encode()
}

// Blocking returns a reply that blocks until cancelled and the channel it
// signals on when a request arrives.
func Blocking() (Reply, chan struct{}) {
	c := make(chan struct{}, 1)
	return Reply{Block: c}, c
}

// Sink records what a collector emits.
type Sink struct {
	mu        sync.Mutex
	Resources []evidence.Resource
	Failures  []evidence.Failure
}

// Emit records r.
func (s *Sink) Emit(r evidence.Resource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Resources = append(s.Resources, r)
}

// Fail records f.
func (s *Sink) Fail(f evidence.Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Failures = append(s.Failures, f)
}

// ByType returns the emitted resources of typ with records and gap
// messages cleared.
func (s *Sink) ByType(typ string) []evidence.Resource {
	var out []evidence.Resource
	for _, r := range s.Resources {
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

// Kinds returns the distinct kinds of the recorded failures, sorted.
func (s *Sink) Kinds() []evidence.FailureKind {
	var out []evidence.FailureKind
	for _, f := range s.Failures {
		out = append(out, f.Kind)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Run collects target with c. When started is not nil, the context is
// cancelled as soon as a blocking handler signals on it.
func Run(t *testing.T, c collectors.Collector, target evidence.Target, started chan struct{}) (*Sink, error) {
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
	s := &Sink{}
	return s, c.Collect(ctx, target, s)
}

// Errors with Google's JSON error body, for fixtures' convenience: tests
// write these files into their testdata.
const (
	// Forbidden is the body of a 403 PERMISSION_DENIED.
	Forbidden = "error_forbidden.json"
	// NotFound is the body of a 404.
	NotFound = "error_not_found.json"
	// RateLimited is the body of a 429 RESOURCE_EXHAUSTED.
	RateLimited = "error_rate_limited.json"
)

// Common error replies.
var (
	DeniedReply    = Reply{Status: 403, Body: Forbidden}
	NotFoundReply  = Reply{Status: 404, Body: NotFound}
	ThrottledReply = Reply{Status: 429, Body: RateLimited, Header: map[string]string{"Retry-After": "3600"}}
)

// CheckAttributes fails the test for every resource that lacks an
// attribute its type declares without a gap saying why, or that carries an
// attribute its type does not declare.
func CheckAttributes(t *testing.T, cs []collectors.Collector, rs []evidence.Resource) {
	t.Helper()
	reg := collectors.NewRegistry()
	reg.MustRegister(cs...)
	types := reg.ResourceTypes()
	for _, r := range rs {
		rt, ok := types[r.Type]
		if !ok {
			t.Errorf("%s %s: undeclared type", r.Type, r.ID)
			continue
		}
		declared := map[string]bool{}
		for _, a := range rt.Attributes {
			declared[a.Name] = true
			_, has := r.Attributes[a.Name]
			gap := slices.ContainsFunc(r.Gaps, func(g evidence.Gap) bool { return g.Attribute == a.Name })
			if !has && !gap {
				t.Errorf("%s %s: attribute %s missing without a gap", r.Type, r.ID, a.Name)
			}
		}
		for k := range r.Attributes {
			if !declared[k] {
				t.Errorf("%s %s: attribute %s not declared", r.Type, r.ID, k)
			}
		}
	}
}
