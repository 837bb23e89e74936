package okta

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

var testNow = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

type (
	reply    = apitest.Reply
	fixtures = apitest.Fixtures
)

// newServer starts a fail-closed fake Okta serving fx: every request must
// be an authenticated GET of a listed route. Route keys leave out limit.
func newServer(t *testing.T, fx fixtures) *httptest.Server {
	t.Helper()
	return apitest.NewServer(t, fx, apitest.Options{Ignore: []string{"limit"}, Check: apitest.Header("Authorization", "SSWS test-token")})
}

func blocking() (reply, chan struct{}) { return apitest.Blocking() }

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

// run runs collector id of src. When started is not nil, the context is
// cancelled as soon as a blocking handler signals on it.
func run(t *testing.T, src *Source, id string, started chan struct{}) (*apitest.Sink, error) {
	t.Helper()
	jobs, err := src.Plan(t.Context(), func(string) bool { return true })
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	return apitest.Collect(t, src.Collectors(), id, jobs[0].Target, started)
}

func kindOf(err error) evidence.FailureKind { return apitest.KindOf(err) }
