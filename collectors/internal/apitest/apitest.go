// Package apitest is the test harness of the collectors that speak JSON
// over HTTP: a fail-closed fake server that serves fixture files by route,
// a Sink that records what a collector emits, and helpers to run a
// collector and cancel it mid-request.
//
// Real SDK clients are pointed at the server, so tests exercise the
// clients' own paging, retries and error decoding.
package apitest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// A Reply is a canned response. Body is a fixture file under testdata, or
// inline JSON when it starts with "[" or "{". "{server}" in a header value
// is replaced by the server's URL, for Link headers.
type Reply struct {
	Status int
	Body   string
	Header map[string]string
	// Block, when set, makes the handler signal on it and wait until the
	// request is cancelled.
	Block chan struct{}
}

// Fixtures map a route key, "PATH" or "PATH?QUERY" with the query sorted
// and Options.Ignore parameters removed, to a reply.
type Fixtures map[string]Reply

// With returns a copy of f with the replies of over added or replaced.
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

// Options adapt the server to a provider.
type Options struct {
	// Ignore lists query parameters left out of route keys, such as page
	// sizes.
	Ignore []string
	// FirstPage, when set, is a page parameter dropped from the key when it
	// is "1", so page 1 and no page share a fixture.
	FirstPage string
	// ContentType of every reply; default application/json.
	ContentType string
	// Check, when set, asserts something of every request (e.g. its
	// authorisation header).
	Check func(t *testing.T, r *http.Request)
	// WithMethod prefixes route keys with the method: "GET /path".
	WithMethod bool
	// ReadPosts are path suffixes of read operations sent as POST (such as
	// Google's ":getIamPolicy"); every other POST fails the test.
	ReadPosts []string
	// PostKey, when set, names a read POST by its body (such as a GraphQL
	// query's operation and variables); the name is appended to the route
	// key after a space.
	PostKey func(body []byte) string
}

// Header returns a Check that every request carries the header name with
// the value want, such as the test's credentials.
func Header(name, want string) func(t *testing.T, r *http.Request) {
	return func(t *testing.T, r *http.Request) {
		if got := r.Header.Get(name); got != want {
			t.Errorf("%s %s: %s = %q, want %q", r.Method, r.URL, name, got, want)
		}
	}
}

// NewServer starts a fail-closed fake API: any request that is not a GET of
// a listed route fails the test and gets a 500. It is closed when the test
// ends.
func NewServer(t *testing.T, fx Fixtures, o Options) *httptest.Server {
	t.Helper()
	ct := o.ContentType
	if ct == "" {
		ct = "application/json"
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		readPost := r.Method == http.MethodPost && slices.ContainsFunc(o.ReadPosts, func(p string) bool { return strings.HasSuffix(r.URL.Path, p) })
		if r.Method != http.MethodGet && !readPost {
			t.Errorf("non-read request %s %s", r.Method, r.URL)
			http.Error(w, "read-only", http.StatusInternalServerError)
			return
		}
		if o.Check != nil {
			o.Check(t, r)
		}
		key := Key(r, o)
		if readPost && o.PostKey != nil {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				t.Errorf("read request body: %v", err)
			}
			key += " " + o.PostKey(body)
		}
		rep, ok := fx[key]
		if !ok {
			t.Errorf("unexpected request %s %s (key %s)", r.Method, r.URL, key)
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
			w.Header().Set(k, strings.ReplaceAll(v, "{server}", "http://"+r.Host))
		}
		w.Header().Set("Content-Type", ct)
		body := []byte(rep.Body)
		if rep.Body != "" && !strings.HasPrefix(rep.Body, "[") && !strings.HasPrefix(rep.Body, "{") {
			var err error
			if body, err = os.ReadFile(filepath.Join("testdata", rep.Body)); err != nil {
				t.Errorf("fixture: %v", err)
			}
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

// Key returns the route key of a request under o.
func Key(r *http.Request, o Options) string {
	key := r.URL.EscapedPath()
	q := r.URL.Query()
	for _, p := range o.Ignore {
		q.Del(p)
	}
	if o.FirstPage != "" && q.Get(o.FirstPage) == "1" {
		q.Del(o.FirstPage)
	}
	if len(q) > 0 {
		key += "?" + q.Encode()
	}
	if o.WithMethod {
		key = r.Method + " " + key
	}
	return key
}

// Blocking returns a reply that blocks until the request is cancelled, and
// the channel it signals on when the request arrives.
func Blocking() (Reply, chan struct{}) {
	c := make(chan struct{}, 1)
	return Reply{Block: c}, c
}

// A Sink records what a collector emits. It is safe for concurrent use.
type Sink struct {
	mu        sync.Mutex
	Resources []evidence.Resource
	Failures  []evidence.Failure
	Skipped   []evidence.Skip
}

// Skip records a deliberately skipped resource (see collectors.Skip).
func (s *Sink) Skip(resource, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Skipped = append(s.Skipped, evidence.Skip{Resource: resource, Reason: reason})
}

// Emit implements collectors.Sink.
func (s *Sink) Emit(r evidence.Resource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Resources = append(s.Resources, r)
}

// Fail implements collectors.Sink.
func (s *Sink) Fail(f evidence.Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Failures = append(s.Failures, f)
}

// ByType returns the emitted resources of typ with records and gap
// messages cleared, for comparison with expected values.
func (s *Sink) ByType(typ string) []evidence.Resource {
	var out []evidence.Resource
	for _, r := range s.Resources {
		if r.Type == typ {
			r.Records = nil
			r.Gaps = slices.Clone(r.Gaps)
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

// WantKind ends the test unless err is a failure of kind want; a
// cancelled one must also carry context.Canceled in its chain.
func WantKind(t *testing.T, err error, want evidence.FailureKind) {
	t.Helper()
	if err == nil || KindOf(err) != want {
		t.Fatalf("err = %v (%s), want kind %s", err, KindOf(err), want)
	}
	if want == evidence.Cancelled && !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled in chain", err)
	}
}

// Collect runs collector id of cs against target. When started is not nil,
// the context is cancelled as soon as a blocking reply signals on it, to
// test cancellation mid-request.
func Collect(t *testing.T, cs []collectors.Collector, id string, target evidence.Target, started chan struct{}) (*Sink, error) {
	t.Helper()
	var c collectors.Collector
	for _, x := range cs {
		if x.Describe().ID == id {
			c = x
		}
	}
	if c == nil {
		t.Fatalf("no collector %s", id)
	}
	return Run(t, c, target, started)
}

// Run collects target with c. When started is not nil, the context is
// cancelled as soon as a blocking reply signals on it.
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

// KindOf classifies err, or returns "" for nil.
func KindOf(err error) evidence.FailureKind {
	if err == nil {
		return ""
	}
	return collectors.Classify(err)
}
