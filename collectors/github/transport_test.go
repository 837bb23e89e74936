package github

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	gh "github.com/google/go-github/v92/github"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

func TestOperation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, url string
		want        string
		keep        bool
	}{
		{"GET", "https://api.github.com/orgs/octo-org", "GET /orgs/{org}", true},
		{"GET", "https://api.github.com/orgs/octo-org/members?filter=2fa_disabled", "GET /orgs/{org}/members", true},
		{"GET", "https://ghe.example.com/api/v3/repos/o/r/branches/release%2F1.0/protection", "GET /repos/{owner}/{repo}/branches/{branch}/protection", true},
		{"GET", "https://api.github.com/repos/o/r/pulls/7/reviews", "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", true},
		{"POST", "https://api.github.com/app/installations/9/access_tokens", "POST /app/installations/{installation_id}/access_tokens", false},
		{"GET", "https://api.github.com/orgs/octo-org/actions/permissions", "GET /orgs/{org}/actions/permissions", true},
		{"GET", "https://ghe.example.com/api/v3/orgs/octo-org/actions/permissions/workflow", "GET /orgs/{org}/actions/permissions/workflow", true},
		{"GET", "https://api.github.com/meta", "GET /meta", true},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, tt.url, nil)
		name, keep := operation(req)
		if name != tt.want || keep != tt.keep {
			t.Errorf("operation(%s %s) = %q, %v; want %q, %v", tt.method, tt.url, name, keep, tt.want, tt.keep)
		}
	}
}

func TestETagTransport(t *testing.T) {
	t.Parallel()
	var full, notModified atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"abc"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		full.Add(1)
		w.Header().Set("ETag", `"abc"`)
		_, _ = w.Write([]byte(`[{"name":"Hello-World"}]`))
	}))
	defer srv.Close()
	c, err := gh.NewClient(gh.WithHTTPClient(&http.Client{Transport: newETagTransport(http.DefaultTransport)}), gh.WithURLs(new(srv.URL+"/"), nil))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		repos, _, err := c.Repositories.ListByOrg(t.Context(), "octo-org", nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(repos) != 1 || repos[0].GetName() != "Hello-World" {
			t.Fatalf("repos = %v", repos)
		}
	}
	if full.Load() != 1 || notModified.Load() != 1 {
		t.Errorf("full = %d, not modified = %d; want 1 and 1", full.Load(), notModified.Load())
	}
}

// TestRateLimitWait checks that a secondary rate limit whose Retry-After is
// within the configured wait is waited out and the call retried.
func TestRateLimitWait(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	limited := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`))
			return
		}
		_, _ = w.Write([]byte(`{"login":"octo-org","html_url":"https://github.com/octo-org"}`))
	}))
	defer limited.Close()
	wait := 5
	src := NewSource(Config{Orgs: []string{"octo-org"}, BaseURL: limited.URL, Token: "x", MaxRateLimitWaitSeconds: &wait})
	c, err := src.gh()
	if err != nil {
		t.Fatal(err)
	}
	o, _, err := c.Organizations.Get(t.Context(), "octo-org")
	if err != nil {
		t.Fatalf("Get after secondary limit: %v", err)
	}
	if o.GetLogin() != "octo-org" || calls.Load() != 2 {
		t.Errorf("login %q after %d calls, want octo-org after 2", o.GetLogin(), calls.Load())
	}
}

// TestGraphQLRateLimitWait checks that a GraphQL query past the primary
// limit (HTTP 200, RATE_LIMITED, X-RateLimit-Remaining 0) is sent again
// after the reset, body and all.
func TestGraphQLRateLimitWait(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(body), "AttestRepoProtection") {
			t.Errorf("attempt %d sent body %q", calls.Load()+1, body)
		}
		if calls.Add(1) == 1 {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", "0")
			_, _ = w.Write([]byte(`{"errors":[{"type":"RATE_LIMITED","message":"API rate limit exceeded for user ID 1."}]}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":{"organization":{"repositories":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[]}}}}`))
	}))
	defer srv.Close()
	wait := 5
	src := NewSource(Config{Orgs: []string{"octo-org"}, BaseURL: srv.URL, Token: "x", MaxRateLimitWaitSeconds: &wait})
	s, err := run(t, src, "github.repos", nil)
	if err != nil {
		t.Fatalf("Collect after the primary limit: %v", err)
	}
	if calls.Load() != 2 || len(s.Kinds()) != 0 {
		t.Errorf("%d calls, failures %v; want 2 calls and none", calls.Load(), s.Kinds())
	}
}

func TestClassifyMissingScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header http.Header
		want   string
	}{
		{http.Header{"X-Oauth-Scopes": {"repo"}, "X-Accepted-Oauth-Scopes": {"read:org, admin:org"}}, "read:org or admin:org"},
		{http.Header{"X-Oauth-Scopes": {"repo, read:org"}, "X-Accepted-Oauth-Scopes": {"security_events, repo"}}, "security_events"},
		{http.Header{"X-Accepted-Github-Permissions": {"members=read"}}, "members=read"},
		{http.Header{}, "fallback"},
	}
	for _, tt := range tests {
		resp := &http.Response{StatusCode: 403, Header: tt.header, Request: httptest.NewRequest("GET", "/orgs/o", nil)}
		err := classify(&gh.ErrorResponse{Response: resp, Message: "Resource not accessible"}, "GET /orgs/{org}", "fallback")
		f := collectors.FailureOf(err, "")
		if f.Kind != evidence.Denied || f.Permission != tt.want {
			t.Errorf("headers %v: kind %s permission %q, want denied %q", tt.header, f.Kind, f.Permission, tt.want)
		}
	}
}

func TestPlan(t *testing.T) {
	t.Parallel()
	src := NewSource(Config{Orgs: []string{"b-org", "a-org", "b-org"}})
	jobs, err := src.Plan(t.Context(), func(id string) bool { return id == "github.org" || id == "github.repos" })
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, j := range jobs {
		got = append(got, j.Collector.Describe().ID+" "+j.Target.String())
	}
	want := []string{"github.org github/a-org", "github.org github/b-org", "github.repos github/a-org", "github.repos github/b-org"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("jobs (-want +got):\n%s", diff)
	}
	if _, err := NewSource(Config{}).Plan(t.Context(), func(string) bool { return true }); err == nil {
		t.Error("Plan without orgs: want error")
	}
}

func TestNoToken(t *testing.T) {
	t.Parallel()
	src := NewSource(Config{Orgs: []string{"o"}, TokenEnv: "ATTEST_TEST_UNSET_TOKEN_VARIABLE"})
	_, err := run(t, src, "github.org", nil)
	if err == nil || !strings.Contains(err.Error(), "ATTEST_TEST_UNSET_TOKEN_VARIABLE") {
		t.Errorf("err = %v, want one naming the variable", err)
	}
}

func TestDescriptorsAndPolicy(t *testing.T) {
	t.Parallel()
	var ds []collectors.Descriptor
	reg := collectors.NewRegistry()
	for _, c := range NewSource(Config{}).Collectors() {
		reg.MustRegister(c)
		d := c.Describe()
		ds = append(ds, d)
		if d.Version < 1 || d.Source != "github" || len(d.Permissions) == 0 {
			t.Errorf("%s: incomplete descriptor", d.ID)
		}
		for _, rt := range d.ResourceTypes {
			for _, a := range rt.Attributes {
				switch a.Type {
				case "bool", "int", "double", "string", "timestamp", "list", "map":
				default:
					t.Errorf("%s %s.%s: type %q", d.ID, rt.Name, a.Name, a.Type)
				}
			}
		}
	}
	out, err := Policy(ds)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"  read:org\n", "  repo\n", "  security_events\n", "    Members: read\n", "    Code scanning alerts: read\n",
		"    Secret scanning alerts: read\n", "    Dependabot alerts: read\n", "    Pull requests: read\n", "    Actions: read\n", "    Administration: read\n"} {
		if !strings.Contains(string(out), s) {
			t.Errorf("policy lacks %q:\n%s", s, out)
		}
	}
	if strings.Count(string(out), "  repo\n") != 1 {
		t.Errorf("policy not deduplicated:\n%s", out)
	}
}
