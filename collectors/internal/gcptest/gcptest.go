// Package gcptest is the test harness of the Google Cloud and Workspace
// sources: a fail-closed fixture server speaking the Google REST error and
// paging shapes, and a sink that records what a collector emits.
package gcptest

import (
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

// Reply, Fixtures and Sink are the shared API test harness's.
type (
	Reply    = apitest.Reply
	Fixtures = apitest.Fixtures
	Sink     = apitest.Sink
)

// options are Google's: keys carry the method, paging and projection
// parameters are left out, and replies are JSON.
func options(readPosts []string) apitest.Options {
	return apitest.Options{
		Ignore:      []string{"alt", "prettyPrint", "maxResults", "pageSize", "projection", "orderBy"},
		ContentType: "application/json; charset=UTF-8",
		WithMethod:  true,
		ReadPosts:   readPosts,
	}
}

// NewServer starts a fail-closed fixture server. Only GET requests, and
// POSTs to paths in readPosts (read methods such as :getIamPolicy), are
// allowed; any other request or an unlisted route fails the test with 500.
func NewServer(t *testing.T, fx Fixtures, readPosts ...string) *httptest.Server {
	t.Helper()
	return apitest.NewServer(t, fx, options(readPosts))
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
func Blocking() (Reply, chan struct{}) { return apitest.Blocking() }

// Run collects target with c. When started is not nil, the context is
// cancelled as soon as a blocking handler signals on it.
func Run(t *testing.T, c collectors.Collector, target evidence.Target, started chan struct{}) (*Sink, error) {
	t.Helper()
	return apitest.Run(t, c, target, started)
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
