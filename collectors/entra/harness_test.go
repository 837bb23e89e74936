package entra

import (
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
	"github.com/attestdev/attest/internal/fake/entrafake"
)

const testTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"

type (
	reply    = apitest.Reply
	fixtures = apitest.Fixtures
)

// newServer starts a fail-closed fake Graph serving fx: every request must
// be a GET with the test token of a listed route. Route keys leave out
// $top.
func newServer(t *testing.T, fx fixtures) *httptest.Server {
	t.Helper()
	return apitest.NewServer(t, fx, apitest.Options{Ignore: []string{"$top"}, Check: apitest.Header("Authorization", "Bearer test-token")})
}

// key returns the route key of GET /v1.0 path with query q.
func key(path string, q url.Values) string {
	k := "/v1.0" + path
	if len(q) > 0 {
		k += "?" + q.Encode()
	}
	return k
}

var (
	usersKey        = key("/users", url.Values{"$select": {userSelect + ",signInActivity"}})
	usersNoSignIn   = key("/users", url.Values{"$select": {userSelect}})
	registrationKey = key("/reports/authenticationMethods/userRegistrationDetails", nil)
	roleDefsKey     = key("/roleManagement/directory/roleDefinitions", nil)
	roleAssignsKey  = key("/roleManagement/directory/roleAssignments", url.Values{"$expand": {"principal"}})
	roleEligKey     = key(pathRoleElig, url.Values{"$expand": {"principal"}})
	caKey           = key("/identity/conditionalAccess/policies", nil)
	sdKey           = key("/policies/identitySecurityDefaultsEnforcementPolicy", nil)
	authzKey        = key("/policies/authorizationPolicy", nil)
)

var (
	forbidden = reply{Status: 403, Body: "error_forbidden.json"}
	licence   = reply{Status: 403, Body: "error_licence.json"}
	missing   = reply{Status: 404, Body: "error_not_found.json"}
	throttled = reply{Status: 429, Body: "error_throttled.json", Header: map[string]string{"Retry-After": "120"}}
)

func testSource(srv *httptest.Server) *Source {
	zero := 0
	return NewSource(Config{
		TenantID: testTenant, GraphEndpoint: srv.URL, HTTPClient: srv.Client(),
		Credential: entrafake.Credential{Token: "test-token"}, MaxRateLimitWaitSeconds: &zero,
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

func blocking() (reply, chan struct{}) { return apitest.Blocking() }

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
