// Package failharness checks that no collector turns a failed call into
// "none": for every collector of a source, it answers each route the
// collector calls with 404, 403, 500 or no answer at all (under a short
// call deadline), one route at a time, and asserts that the run is not
// complete (or, complete, carries gaps on the resources the failure left
// unknown), and that a failed listing (the collector's first route) fails
// the run, so the controls over it are inconclusive rather than passing or
// not applicable on zero resources.
package failharness

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// A Mode is one way a route fails.
type Mode struct {
	Name   string
	Status int
	// Hang accepts the request and never answers.
	Hang bool
}

// Modes are the failures every route is tried with.
var Modes = []Mode{
	{Name: "404", Status: http.StatusNotFound},
	{Name: "403", Status: http.StatusForbidden},
	{Name: "500", Status: http.StatusInternalServerError},
	{Name: "hang", Hang: true},
}

// CallTimeout is the per-call deadline the sources get for the hang mode.
const CallTimeout = 300 * time.Millisecond

// A Setup is what the harness needs of one source.
type Setup struct {
	// Handler returns a fresh fake API in the provider's wire format.
	Handler func() http.Handler
	// Source returns the source pointed at the fake at url, calling it
	// through hc, whose Timeout is the per-call deadline.
	Source func(url string, hc *http.Client) collectors.Source
	// Route names the route of a request, e.g. "GET /api/v1/users".
	Route func(r *http.Request) string
	// NotFoundIsEvidence lists routes whose 404 answer is evidence (such
	// as "this branch has no protection"), each with the reason; a 404 of
	// them may leave the run complete.
	NotFoundIsEvidence map[string]string
	// Skip lists collector IDs the harness leaves out, with the reason.
	Skip map[string]string
	// Fallback lists, by collector ID, routes whose failure another route
	// answers (an organisation-wide listing with a per-resource call to
	// fall back on), each with the reason: a failure of them may leave the
	// run complete, with the resources and gaps of the baseline, and they
	// are never the collector's listing.
	Fallback map[string]map[string]string
	// NoListing lists collector IDs whose first call reads settings of a
	// target already known from the configuration (an organisation's
	// policies) rather than listing the estate, each with the reason: a
	// failure of that call must leave the run partial or failed, or its
	// attributes unknown, like any later call, but need not fail the run.
	NoListing map[string]string
}

// failing answers the requests of one route per mode and passes the rest
// to the fake.
type failing struct {
	next  http.Handler
	route func(*http.Request) string
	fail  string
	mode  Mode

	mu   sync.Mutex
	seen []string
	hits int
	reqs int
}

// requests returns how many requests the server got.
func (f *failing) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reqs
}

// failed returns how many requests were answered with the failure.
func (f *failing) failed() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits
}

func (f *failing) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route := f.route(r)
	f.mu.Lock()
	f.reqs++
	if !slices.Contains(f.seen, route) {
		f.seen = append(f.seen, route)
	}
	if route != f.fail {
		f.mu.Unlock()
		f.next.ServeHTTP(w, r)
		return
	}
	f.hits++
	f.mu.Unlock()
	if f.mode.Hang {
		// Read the body so that the server notices the client going
		// away, and never hold the server's Close for long.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(20 * time.Second):
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(f.mode.Status)
	fmt.Fprintf(w, `{"message":"failharness: %s","error":{"code":%d,"message":"failharness: %s","status":"FAILED"},"errorCode":"E0000000","errorSummary":"failharness"}`, f.mode.Name, f.mode.Status, f.mode.Name)
}

func (f *failing) routes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.seen)
}

// sink counts what a collector emits.
type sink struct {
	mu        sync.Mutex
	resources int
	gaps      []string
	failures  []evidence.Failure
}

func (s *sink) Emit(r evidence.Resource) {
	s.mu.Lock()
	s.resources++
	for _, g := range r.Gaps {
		s.gaps = append(s.gaps, r.ID+" "+g.Attribute+" "+string(g.Kind)+" "+g.Operation)
	}
	s.mu.Unlock()
}
func (s *sink) Fail(f evidence.Failure) {
	s.mu.Lock()
	s.failures = append(s.failures, f)
	s.mu.Unlock()
}

// A result is what one run of a collector on one target came to.
type result struct {
	status    evidence.RunStatus
	resources int
	// gaps are the resources' gaps, "resource attribute kind operation",
	// sorted.
	gaps []string
}

// collect plans src and runs collector id on every target, and returns the
// result of each run by target, with its status the way the runner would
// record it, for the runs during which hits grew (the runs that met the
// failure; all of them when the failure hit planning). A failed plan fails
// every run.
func collect(ctx context.Context, src collectors.Source, id string, hits func() int) (map[string]result, error) {
	jobs, err := src.Plan(ctx, func(c string) bool { return c == id })
	if err != nil {
		return map[string]result{"plan": {status: evidence.Failed}}, err
	}
	planHit := hits() > 0
	out := map[string]result{}
	var errs []error
	for _, j := range jobs {
		if j.Collector.Describe().ID != id {
			continue
		}
		s := &sink{}
		before := hits()
		err := j.Collector.Collect(ctx, j.Target, s)
		if !planHit && hits() == before {
			continue
		}
		slices.Sort(s.gaps)
		r := result{resources: s.resources, gaps: s.gaps}
		switch {
		case err != nil:
			r.status = evidence.Failed
			errs = append(errs, err)
		case len(s.failures) > 0:
			r.status = evidence.Partial
		default:
			r.status = evidence.Complete
		}
		out[j.Target.String()] = r
	}
	if len(errs) > 0 {
		return out, errs[0]
	}
	return out, nil
}

// firstWithoutFallback returns the collector's listing: the first route
// it calls that no other route can stand in for.
func firstWithoutFallback(routes []string, fallback map[string]string) string {
	for _, r := range routes {
		if fallback[r] == "" {
			return r
		}
	}
	return ""
}

// Run checks every collector of the source set up by s.
func Run(t *testing.T, s Setup) {
	t.Helper()
	probe := s.Source("http://127.0.0.1:1", &http.Client{Timeout: CallTimeout})
	for _, c := range probe.Collectors() {
		id := c.Describe().ID
		if why, ok := s.Skip[id]; ok {
			t.Logf("%s: skipped: %s", id, why)
			continue
		}
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			// Baseline: every route the collector calls, in order; the
			// first is its listing.
			base := &failing{next: s.Handler(), route: s.Route}
			srv := httptest.NewServer(base)
			defer srv.Close()
			hc := srv.Client()
			hc.Timeout = 10 * time.Second
			baseline, err := collect(t.Context(), s.Source(srv.URL, hc), id, base.requests)
			for target, r := range baseline {
				if r.status != evidence.Complete {
					t.Fatalf("baseline run on %s %s (%v): the fake must serve the collector completely", target, r.status, err)
				}
			}
			routes := base.routes()
			_, noListing := s.NoListing[id]
			if len(routes) == 0 {
				t.Fatal("the collector made no call")
			}
			fallback := s.Fallback[id]
			listing := firstWithoutFallback(routes, fallback)
			for _, route := range routes {
				for _, mode := range Modes {
					t.Run(strings.ReplaceAll(route, "/", "_")+"/"+mode.Name, func(t *testing.T) {
						t.Parallel()
						f := &failing{next: s.Handler(), route: s.Route, fail: route, mode: mode}
						srv := httptest.NewServer(f)
						defer srv.Close()
						hc := srv.Client()
						hc.Timeout = CallTimeout
						ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
						defer cancel()
						got, err := collect(ctx, s.Source(srv.URL, hc), id, f.failed)
						if ctx.Err() != nil {
							t.Fatalf("the collector did not end within a minute of %s on %s", mode.Name, route)
						}
						for target, r := range got {
							switch {
							case route == listing && !noListing && r.status != evidence.Failed:
								t.Errorf("%s: listing %s answered %s: run %s with %d resources, want failed", target, route, mode.Name, r.status, r.resources)
							case r.status != evidence.Complete:
							case fallback[route] != "" && r.resources == baseline[target].resources && slices.Equal(r.gaps, baseline[target].gaps):
								// Another route answered what this one would have.
							case mode.Status == http.StatusNotFound && s.NotFoundIsEvidence[route] != "":
								// A 404 of this route is evidence.
							case !slices.Equal(r.gaps, baseline[target].gaps):
								// The resources say what the failure left
								// unknown.
							default:
								t.Errorf("%s: %s answered %s: run complete with %d resources and the gaps of the baseline, want partial or failed (err %v)", target, route, mode.Name, r.resources, err)
							}
						}
					})
				}
			}
		})
	}
}
