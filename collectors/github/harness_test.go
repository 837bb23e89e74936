package github

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

// testNow is the clock of the fixture tests.
var testNow = time.Date(2011, 2, 1, 0, 0, 0, 0, time.UTC)

type (
	reply    = apitest.Reply
	fixtures = apitest.Fixtures
)

// newServer starts a fail-closed fake GitHub serving fx. Route keys leave
// out per_page and page=1.
func newServer(t *testing.T, fx fixtures) *httptest.Server {
	t.Helper()
	return apitest.NewServer(t, fx, apitest.Options{Ignore: []string{"per_page"}, FirstPage: "page", ContentType: "application/json; charset=utf-8",
		ReadPosts: []string{"/graphql"}, PostKey: gqlKey})
}

var gqlOperation = regexp.MustCompile(`^\s*query\s+(\w+)`)

// gqlKey names a GraphQL request by its operation and its variables other
// than the organisation, sorted, leaving out nulls: for example
// "AttestRepoProtection cursor=Y3Vy". Fixture keys are "/graphql " + that.
func gqlKey(body []byte) string {
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return "invalid JSON: " + err.Error()
	}
	m := gqlOperation.FindStringSubmatch(req.Query)
	if m == nil {
		return "no operation name"
	}
	parts := []string{m[1]}
	for k, v := range req.Variables {
		if k != "org" && v != nil {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	slices.Sort(parts[1:])
	return strings.Join(parts, " ")
}

func blocking() (reply, chan struct{}) { return apitest.Blocking() }

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

// run runs collector id of src against the test org. When started is not
// nil, the context is cancelled as soon as a blocking handler signals on it.
func run(t *testing.T, src *Source, id string, started chan struct{}) (*apitest.Sink, error) {
	t.Helper()
	return apitest.Collect(t, src.Collectors(), id, evidence.Target{Source: "github", Account: "octo-org"}, started)
}
