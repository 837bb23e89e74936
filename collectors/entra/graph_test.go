package entra

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/entrafake"
)

// TestThrottlingIsWaitedOut answers the users listing with 429 and then 503,
// each with Retry-After, then serves it, and checks the client waited what
// Graph asked, without sleeping for real.
func TestThrottlingIsWaitedOut(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		body, status := "", http.StatusOK
		switch {
		case r.URL.Path != "/v1.0/users":
			body = readFixture(t, "empty.json")
			if strings.HasSuffix(r.URL.Path, "roleDefinitions") {
				body = readFixture(t, "roledefs_ga.json")
			}
		case n == 1:
			w.Header().Set("Retry-After", "7")
			status, body = http.StatusTooManyRequests, readFixture(t, "error_throttled.json")
		case n == 2:
			w.Header().Set("Retry-After", "3")
			status, body = http.StatusServiceUnavailable, `{"error":{"code":"serviceNotAvailable","message":"Service unavailable."}}`
		default:
			body = readFixture(t, "users.json")
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	ten := 10
	src := NewSource(Config{TenantID: testTenant, GraphEndpoint: srv.URL, HTTPClient: srv.Client(),
		Credential: entrafake.Credential{Token: "test-token"}, MaxRateLimitWaitSeconds: &ten})
	api, err := src.api()
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	api.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	s, err := run(t, src, "entra.users", nil)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if got := len(s.ByType("entra.user")); got != 3 {
		t.Errorf("%d users, want 3", got)
	}
	if !slices.Equal(waits, []time.Duration{7 * time.Second, 3 * time.Second}) {
		t.Errorf("waits = %v, want [7s 3s]", waits)
	}
}

// TestThrottlingBeyondTheBoundNamesTheLimit checks that a Retry-After
// beyond the configured wait ends as throttled at once, naming the bound.
func TestThrottlingBeyondTheBoundNamesTheLimit(t *testing.T) {
	t.Parallel()
	srv := newServer(t, fixtures{usersKey: throttled})
	_, err := run(t, testSource(srv), "entra.users", nil)
	if kindOf(err) != evidence.Throttled {
		t.Fatalf("err %v (kind %s), want throttled", err, kindOf(err))
	}
	for _, want := range []string{"Microsoft Graph throttling reached (HTTP 429)", "asked to wait 2m0s", "configured bound of 0s", "TooManyRequests"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestHangingCallTimesOut checks that a Graph call that never answers ends
// at the call deadline as a timeout of the listing.
func TestHangingCallTimesOut(t *testing.T) {
	t.Parallel()
	hang, _ := blocking()
	srv := newServer(t, fixtures{caKey: hang})
	hc := srv.Client()
	hc.Timeout = 200 * time.Millisecond
	src := NewSource(Config{TenantID: testTenant, GraphEndpoint: srv.URL, HTTPClient: hc, Credential: entrafake.Credential{Token: "test-token"}})
	start := time.Now()
	_, err := run(t, src, "entra.policies", nil)
	if kindOf(err) != evidence.Timeout {
		t.Fatalf("err %v (kind %s), want timeout", err, kindOf(err))
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s", d)
	}
}

type failingCredential struct{}

func (failingCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{}, errors.New("DefaultAzureCredential: failed to acquire a token")
}

// TestNoTokenIsDenied checks that a credential that yields no token fails
// the listing as denied, and that no request reaches Graph.
func TestNoTokenIsDenied(t *testing.T) {
	t.Parallel()
	srv := newServer(t, fixtures{})
	src := NewSource(Config{TenantID: testTenant, GraphEndpoint: srv.URL, HTTPClient: srv.Client(), Credential: failingCredential{}})
	_, err := run(t, src, "entra.policies", nil)
	if kindOf(err) != evidence.Denied || !strings.Contains(err.Error(), "get Microsoft Graph token") {
		t.Fatalf("err %v (kind %s), want denied naming the token", err, kindOf(err))
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	neg := -1
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{TenantID: testTenant}, ""},
		{Config{TenantID: testTenant, Cloud: "usgovernment", GraphEndpoint: "https://graph.microsoft.us/v1.0/"}, ""},
		{Config{}, "tenant_id"},
		{Config{TenantID: "contoso.onmicrosoft.com"}, "tenant_id"},
		{Config{TenantID: testTenant, Cloud: "germany"}, `cloud "germany" is not one of china, public, usgovernment`},
		{Config{TenantID: testTenant, GraphEndpoint: "graph.microsoft.us"}, "graph_endpoint"},
		{Config{TenantID: testTenant, RateLimitRetries: &neg}, "rate_limit_retries"},
	} {
		err := tt.cfg.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v: %v", tt.cfg, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%+v: err %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

// TestSovereignCloudEndpoint checks that the cloud picks the Graph host
// and the token scope, and graph_endpoint overrides the host only.
func TestSovereignCloudEndpoint(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		cfg         Config
		base, scope string
	}{
		{Config{TenantID: testTenant}, "https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/.default"},
		{Config{TenantID: testTenant, Cloud: "china"}, "https://microsoftgraph.chinacloudapi.cn/v1.0", "https://microsoftgraph.chinacloudapi.cn/.default"},
		{Config{TenantID: testTenant, Cloud: "usgovernment", GraphEndpoint: "https://dod-graph.microsoft.us"}, "https://dod-graph.microsoft.us/v1.0", "https://graph.microsoft.us/.default"},
	} {
		tt.cfg.Credential = failingCredential{}
		c, err := NewSource(tt.cfg).api()
		if err != nil {
			t.Fatal(err)
		}
		if c.base.String() != tt.base || c.scope != tt.scope {
			t.Errorf("%s: base %s scope %s, want %s %s", tt.cfg.Cloud, c.base, c.scope, tt.base, tt.scope)
		}
	}
}

// TestPolicyListsPermissions checks "attest permissions entra".
func TestPolicyListsPermissions(t *testing.T) {
	t.Parallel()
	var ds []collectors.Descriptor
	for _, c := range NewSource(Config{}).Collectors() {
		ds = append(ds, c.Describe())
	}
	out, err := Policy(ds)
	if err != nil {
		t.Fatal(err)
	}
	var perms []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if !strings.HasPrefix(l, "#") {
			perms = append(perms, l)
		}
	}
	want := []string{"AuditLog.Read.All", "Policy.Read.All", "RoleManagement.Read.Directory", "User.Read.All"}
	if !slices.Equal(perms, want) {
		t.Errorf("permissions %v, want %v", perms, want)
	}
}
