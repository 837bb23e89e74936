package github

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

// countingTransport counts the requests for each path and page and, when
// blockPath is set, holds the first request of that path until its context
// ends.
type countingTransport struct {
	base      http.RoundTripper
	blockPath string
	blocked   chan struct{}

	mu      sync.Mutex
	counts  map[string]int
	didHold bool
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.counts[req.URL.Path+"?page="+req.URL.Query().Get("page")]++
	hold := !c.didHold && c.blockPath != "" && req.URL.Path == c.blockPath
	c.didHold = c.didHold || hold
	c.mu.Unlock()
	if hold {
		c.blocked <- struct{}{}
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	return c.base.RoundTrip(req)
}

func (c *countingTransport) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[key]
}

// sharedFixtures is an organisation of two repositories on two pages of
// the REST repository list, with a code scanning analysis each.
var sharedFixtures = fixtures{
	pathRepos:                              {Body: "repos/list_org_security.json", Header: next("/orgs/octo-org/repos")},
	"/orgs/octo-org/repos?page=2&type=all": {Body: "repos/list_org_security_page2.json"},
	pathAnalyses:                           {Body: "code-scanning/analyses.json"},
	"/repos/octo-org/Spoon-Knife/code-scanning/analyses?ref=refs%2Fheads%2Fmain": {Body: "code-scanning/analyses.json"},
}

const (
	listPage1 = "/orgs/octo-org/repos?page="
	listPage2 = "/orgs/octo-org/repos?page=2"
)

func sharedSource(t *testing.T, fx fixtures, blockPath string) (*Source, *countingTransport) {
	t.Helper()
	srv := newServer(t, fx)
	ct := &countingTransport{base: srv.Client().Transport, blockPath: blockPath, blocked: make(chan struct{}, 1), counts: map[string]int{}}
	return testSource(srv, func(c *Config) { c.HTTPClient = &http.Client{Transport: ct} }), ct
}

// collectBoth runs github.repo_security and github.sast at once on src.
func collectBoth(t *testing.T, src *Source) (sec, sast *apitest.Sink, secErr, sastErr error) {
	t.Helper()
	var wg sync.WaitGroup
	wg.Go(func() { sec, secErr = run(t, src, repoSecurityID, nil) })
	wg.Go(func() { sast, sastErr = run(t, src, "github.sast", nil) })
	wg.Wait()
	return sec, sast, secErr, sastErr
}

func TestRepoListWalkedOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fx        fixtures
		wantErr   evidence.FailureKind
		wantRepos int
		wantPage2 int
	}{
		{name: "two pages, two collectors", fx: sharedFixtures, wantRepos: 2, wantPage2: 1},
		{name: "empty", fx: fixtures{pathRepos: {Body: "empty_list.json"}}},
		{name: "absent (404) fails every reader", fx: fixtures{pathRepos: {Status: 404, Body: "errors/not_found.json"}}, wantErr: evidence.Errored},
		{name: "denied fails every reader", fx: fixtures{pathRepos: forbidden}, wantErr: evidence.Denied},
		{name: "throttled (429, Retry-After) fails every reader", fx: fixtures{pathRepos: secondaryLimited}, wantErr: evidence.Throttled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, ct := sharedSource(t, tt.fx, "")
			sec, sast, secErr, sastErr := collectBoth(t, src)
			if got := ct.count(listPage1); got != 1 {
				t.Errorf("first page of the repository list read %d times, want once for both collectors", got)
			}
			if got := ct.count(listPage2); got != tt.wantPage2 {
				t.Errorf("second page read %d times, want %d", got, tt.wantPage2)
			}
			if tt.wantErr != "" {
				apitest.WantKind(t, secErr, tt.wantErr)
				apitest.WantKind(t, sastErr, tt.wantErr)
				return
			}
			if secErr != nil || sastErr != nil {
				t.Fatalf("Collect: %v, %v", secErr, sastErr)
			}
			if got := len(sec.ByType(typeRepoSecurity)); got != tt.wantRepos {
				t.Errorf("%d repository security resources, want %d", got, tt.wantRepos)
			}
			if got := len(sast.ByType(typeSAST)); got != tt.wantRepos {
				t.Errorf("%d sast resources, want %d", got, tt.wantRepos)
			}
			for _, r := range append(sec.ByType(typeRepoSecurity), sast.ByType(typeSAST)...) {
				if len(r.Gaps) != 0 {
					t.Errorf("%s: gaps %v", r.ID, r.Gaps)
				}
			}
			// Both collectors record the archived repository as skipped.
			if tt.wantRepos > 0 && (len(sec.Skipped) != 1 || len(sast.Skipped) != 1) {
				t.Errorf("skipped: %v and %v, want old-site in each", sec.Skipped, sast.Skipped)
			}
		})
	}
}

// TestRepoListCancelledWalk checks that a walk stopped by its own run's
// cancellation is not kept: a reader with a live context, waiting or
// arriving later, walks the list again and gets every repository.
func TestRepoListCancelledWalk(t *testing.T) {
	t.Parallel()
	src, ct := sharedSource(t, sharedFixtures, "/orgs/octo-org/repos")
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		errc <- src.Collectors()[indexOf(t, src, repoSecurityID)].Collect(ctx, evidence.Target{Source: "github", Account: "octo-org"}, &apitest.Sink{})
	}()
	<-ct.blocked
	live := make(chan error, 1)
	var s *apitest.Sink
	go func() {
		var err error
		s, err = run(t, src, "github.sast", nil)
		live <- err
	}()
	cancel()
	apitest.WantKind(t, <-errc, evidence.Cancelled)
	if err := <-live; err != nil {
		t.Fatalf("live reader: %v", err)
	}
	if got := len(s.ByType(typeSAST)); got != 2 {
		t.Errorf("%d sast resources after the first walk was cancelled, want 2", got)
	}
	if got := ct.count(listPage1); got != 2 {
		t.Errorf("first page requested %d times, want 2 (the cancelled walk and the live one)", got)
	}
}

// TestRepoListHangingWalk checks that a reader waiting on a walk that
// hangs returns when its own context ends, without waiting for the walk.
func TestRepoListHangingWalk(t *testing.T) {
	t.Parallel()
	src, ct := sharedSource(t, sharedFixtures, "/orgs/octo-org/repos")
	hctx, stop := context.WithCancel(t.Context())
	hung := make(chan error, 1)
	go func() {
		hung <- src.Collectors()[indexOf(t, src, repoSecurityID)].Collect(hctx, evidence.Target{Source: "github", Account: "octo-org"}, &apitest.Sink{})
	}()
	defer func() {
		stop()
		if err := <-hung; !canceled(err) {
			t.Errorf("hanging walk: %v, want its cancellation", err)
		}
	}()
	<-ct.blocked
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := src.Collectors()[indexOf(t, src, "github.sast")].Collect(ctx, evidence.Target{Source: "github", Account: "octo-org"}, &apitest.Sink{})
	if !canceled(err) {
		t.Fatalf("waiting reader: %v, want its own deadline", err)
	}
	if got := ct.count(listPage1); got != 1 {
		t.Errorf("first page requested %d times, want 1 (the waiting reader does not walk)", got)
	}
}

func indexOf(t *testing.T, src *Source, id string) int {
	t.Helper()
	for i, c := range src.Collectors() {
		if c.Describe().ID == id {
			return i
		}
	}
	t.Fatalf("no collector %s", id)
	return -1
}
