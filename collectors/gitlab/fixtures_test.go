package gitlab

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

// testNow is the clock of the fixture tests (the docs' examples are from
// 2011 to 2022).
var testNow = time.Date(2011, 2, 1, 0, 0, 0, 0, time.UTC)

type (
	reply    = apitest.Reply
	fixtures = apitest.Fixtures
)

// newServer starts a fail-closed fake GitLab serving fx; keys leave out
// per_page and page=1, and every request must carry the token.
func newServer(t *testing.T, fx fixtures) *httptest.Server {
	t.Helper()
	return apitest.NewServer(t, fx, apitest.Options{Ignore: []string{"per_page"}, FirstPage: "page", Check: apitest.Header("Private-Token", "glpat-test")})
}

// pages returns GitLab's offset pagination headers for page 1 of 2 of path.
func pages(path string) map[string]string {
	return map[string]string{
		"X-Page": "1", "X-Per-Page": "100", "X-Next-Page": "2", "X-Total": "101", "X-Total-Pages": "2",
		"Link": `<{server}` + path + `?page=2&per_page=100>; rel="next", <{server}` + path + `?page=1&per_page=100>; rel="first", <{server}` + path + `?page=2&per_page=100>; rel="last"`,
	}
}

func testSource(srv *httptest.Server, mod func(*Config)) *Source {
	zero := 0
	cfg := Config{Groups: []string{"twitter"}, BaseURL: srv.URL, Token: "glpat-test", HTTPClient: srv.Client(), MaxRateLimitWaitSeconds: &zero, Now: func() time.Time { return testNow }}
	if mod != nil {
		mod(&cfg)
	}
	return NewSource(cfg)
}

func run(t *testing.T, src *Source, id string, started chan struct{}) (*apitest.Sink, error) {
	t.Helper()
	return apitest.Collect(t, src.Collectors(), id, evidence.Target{Source: SourceName, Account: "twitter"}, started)
}

var (
	forbidden   = reply{Status: 403, Body: "errors/forbidden.json"}
	notFound    = reply{Status: 404, Body: "errors/group_not_found.json"}
	rateLimited = reply{Status: 429, Body: "errors/rate_limited.json", Header: map[string]string{
		"Retry-After": "3600", "RateLimit-Limit": "2000", "RateLimit-Remaining": "0", "RateLimit-Reset": "4102444800",
	}}
	licence = reply{Status: 403, Body: "errors/license.json"}
)

var groupFixtures = fixtures{
	"/api/v4/groups/twitter":                    {Body: "group.json"},
	"/api/v4/groups/twitter/descendant_groups":  {Body: "descendant_groups.json"},
	"/api/v4/groups/twitter/members":            {Body: "members_page1.json", Header: pages("/api/v4/groups/twitter/members")},
	"/api/v4/groups/twitter/members?page=2":     {Body: "members_page2.json"},
	"/api/v4/groups/twitter%2Fbar/members":      {Body: "[]"},
	"/api/v4/groups/twitter/invitations":        {Body: "invitations_page1.json", Header: pages("/api/v4/groups/twitter/invitations")},
	"/api/v4/groups/twitter/invitations?page=2": {Body: "invitations_page2.json"},
	"/api/v4/groups/twitter%2Fbar/invitations":  {Body: "[]"},
	auditKey: {Body: "group_audit_events.json"},
}

// auditKey is the route key of the top-level group's audit events of the
// 30 days before testNow.
const auditKey = "/api/v4/groups/twitter/audit_events?created_after=2011-01-02T00%3A00%3A00Z"

// auditWindowKey is the route key of the top-level group's audit events
// of the k-th 30-day window before the one of auditKey (k >= 1).
func auditWindowKey(k int) string {
	since := time.Date(2011, 1, 2, 0, 0, 0, 0, time.UTC)
	q := url.Values{}
	q.Set("created_after", since.Add(-time.Duration(k)*auditWindow).Format(time.RFC3339))
	q.Set("created_before", since.Add(-time.Duration(k-1)*auditWindow).Format(time.RFC3339))
	return "/api/v4/groups/twitter/audit_events?" + q.Encode()
}

// quietAudit answers every window of the lookback with no event.
func quietAudit() fixtures {
	fx := fixtures{auditKey: {Body: "[]"}}
	for k := 1; k < auditWindows; k++ {
		fx[auditWindowKey(k)] = reply{Body: "[]"}
	}
	return fx
}

func TestGroupsTwoPagesOfMembers(t *testing.T) {
	t.Parallel()
	s, err := run(t, testSource(newServer(t, groupFixtures), nil), "gitlab.groups", nil)
	if err != nil {
		t.Fatal(err)
	}
	gs := s.ByType(typeGroup)
	if len(gs) != 2 || len(s.Failures) != 0 {
		t.Fatalf("groups %d failures %v", len(gs), s.Failures)
	}
	top := gs[0]
	if top.ID != "https://gitlab.example.com/groups/twitter" || top.Attributes["two_factor_requirement_enabled"] != true ||
		top.Attributes["two_factor_grace_period_hours"] != int64(48) || top.Attributes["members_count"] != 2 ||
		top.Attributes["owners_count"] != 1 || top.Attributes["members_without_2fa"] != 1 {
		t.Errorf("top = %s %v", top.ID, top.Attributes)
	}
	if bar := gs[1]; bar.Name != "twitter/bar" || bar.Attributes["two_factor_requirement_enabled"] != false || bar.Attributes["members_count"] != 0 {
		t.Errorf("bar = %v", bar.Attributes)
	}
	accts := s.ByType(typeAccount)
	if len(accts) != 2 {
		t.Fatalf("accounts %d", len(accts))
	}
	john := byName(accts, "john_doe")
	if john.ID != "gitlab:twitter:john_doe" || john.Attributes["mfa"] != false || john.Attributes["admin"] != false || john.Attributes["email"] != "john@example.com" {
		t.Errorf("john = %v", john.Attributes)
	}
	if r := byName(accts, "raymond_smith"); r.Attributes["mfa"] != true || r.Attributes["admin"] != true || r.Attributes["access_level"] != 50 {
		t.Errorf("raymond = %v", r.Attributes)
	}
}

func TestGroupsKeysetLinkIsFollowed(t *testing.T) {
	t.Parallel()
	fx := groupFixtures.With(fixtures{
		"/api/v4/groups/twitter/descendant_groups": {Body: "[]", Header: map[string]string{
			"Link": `<{server}/api/v4/groups/twitter/descendant_groups?cursor=eyJpZCI6IjIifQ&pagination=keyset&per_page=100>; rel="next"`,
		}},
		"/api/v4/groups/twitter/descendant_groups?cursor=eyJpZCI6IjIifQ&pagination=keyset": {Body: "descendant_groups.json"},
	})
	s, err := run(t, testSource(newServer(t, fx), nil), "gitlab.groups", nil)
	if err != nil || len(s.ByType(typeGroup)) != 2 {
		t.Fatalf("err %v, groups %d; want the subgroup of the keyset page", err, len(s.ByType(typeGroup)))
	}
}

func TestGroupsWithoutOwnerFieldsAreGaps(t *testing.T) {
	t.Parallel()
	fx := groupFixtures.With(fixtures{
		"/api/v4/groups/twitter":         {Body: "group_no2fa_fields.json"},
		"/api/v4/groups/twitter/members": {Body: "members_no2fa.json"},
	})
	s, err := run(t, testSource(newServer(t, fx), nil), "gitlab.groups", nil)
	if err != nil {
		t.Fatal(err)
	}
	top := s.ByType(typeGroup)[0]
	for _, a := range []string{"two_factor_requirement_enabled", "two_factor_grace_period_hours"} {
		if _, ok := top.Attributes[a]; ok || !hasGap(top, a, evidence.Errored) {
			t.Errorf("%s: %v, gaps %v; want a gap", a, top.Attributes[a], top.Gaps)
		}
	}
	if _, ok := top.Attributes["members_without_2fa"]; ok || !hasGap(top, "members_without_2fa", evidence.Denied) {
		t.Errorf("members_without_2fa: %v, gaps %v; want a denied gap", top.Attributes["members_without_2fa"], top.Gaps)
	}
	if g := top.Gaps[2]; g.Permission != "read_api scope and the Owner role" {
		t.Errorf("gap permission %q", g.Permission)
	}
	if a := s.ByType(typeAccount)[0]; !hasGap(a, "mfa", evidence.Denied) {
		t.Errorf("account gaps %v", a.Gaps)
	}
}

func TestGroupAbsentFailsTheRun(t *testing.T) {
	t.Parallel()
	s, err := run(t, testSource(newServer(t, fixtures{"/api/v4/groups/twitter": notFound}), nil), "gitlab.groups", nil)
	if err == nil || apitest.KindOf(err) != evidence.Errored || len(s.Resources) != 0 {
		t.Fatalf("err %v (%s), %d resources; want a failed run, never an empty group", err, apitest.KindOf(err), len(s.Resources))
	}
	if !strings.Contains(err.Error(), "does not exist or the token's user cannot see it") {
		t.Errorf("err %v does not explain the 404", err)
	}
}

func TestMembersDeniedNamesTheRole(t *testing.T) {
	t.Parallel()
	fx := groupFixtures.With(fixtures{"/api/v4/groups/twitter/members": forbidden})
	s, err := run(t, testSource(newServer(t, fx), nil), "gitlab.groups", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Failures) != 1 || s.Failures[0].Kind != evidence.Denied || s.Failures[0].Permission != "read_api scope and the Reporter role" {
		t.Fatalf("failures %+v", s.Failures)
	}
	if top := s.ByType(typeGroup)[0]; !hasGap(top, "members_count", evidence.Denied) {
		t.Errorf("gaps %v", top.Gaps)
	}
}

func TestEmptyHierarchy(t *testing.T) {
	t.Parallel()
	fx := fixtures{
		"/api/v4/groups/twitter":                   {Body: "group.json"},
		"/api/v4/groups/twitter/descendant_groups": {Body: "[]"},
		"/api/v4/groups/twitter/members":           {Body: "[]"},
		"/api/v4/groups/twitter/invitations":       {Body: "[]"},
		"/api/v4/groups/twitter/projects?include_subgroups=true&order_by=id&sort=asc&with_shared=false": {Body: "[]"},
	}.With(quietAudit())
	srv := newServer(t, fx)
	s, err := run(t, testSource(srv, nil), "gitlab.groups", nil)
	if err != nil || len(s.ByType(typeAccount)) != 0 || s.ByType(typeGroup)[0].Attributes["members_count"] != 0 {
		t.Fatalf("err %v, %v", err, s.Resources)
	}
	if a := s.ByType(typeGroup)[0].Attributes; a["pending_invitations"] != 0 || a["oldest_invitation_at"] != "" ||
		a["audit_events_available"] != true || a["newest_audit_event_at"] != nil || !hasGap(s.ByType(typeGroup)[0], "newest_audit_event_at", evidence.Errored) {
		t.Errorf("empty invitations and audit events: %v", a)
	}
	s, err = run(t, testSource(srv, nil), "gitlab.projects", nil)
	if err != nil || len(s.Resources) != 0 || len(s.Failures) != 0 {
		t.Fatalf("empty projects: err %v, %d resources, %v", err, len(s.Resources), s.Failures)
	}
}

const projectsKey = "/api/v4/groups/twitter/projects?include_subgroups=true&order_by=id&sort=asc&with_shared=false"

var projectFixtures = fixtures{
	projectsKey:                                     {Body: "projects.json"},
	"/api/v4/projects/9/protected_branches":         {Body: "protected_branches.json"},
	"/api/v4/projects/9/approvals":                  {Body: "approvals.json"},
	"/api/v4/projects/9/approval_rules":             {Body: "approval_rules.json"},
	"/api/v4/projects/9/security_settings":          {Body: "security_settings.json"},
	"/api/v4/projects/9/push_rule":                  {Body: "push_rule.json"},
	"/api/v4/projects/9/deploy_keys":                {Body: "deploy_keys.json"},
	"/api/v4/projects/9/access_tokens?state=active": {Body: "access_tokens.json"},
}

func TestProjectsFromDocsExamples(t *testing.T) {
	t.Parallel()
	s, err := run(t, testSource(newServer(t, projectFixtures), nil), "gitlab.projects", nil)
	if err != nil || len(s.Failures) != 0 {
		t.Fatalf("err %v failures %v", err, s.Failures)
	}
	ps := s.ByType(typeProject)
	if len(ps) != 1 {
		t.Fatalf("projects %d, want 1 (the archived one skipped)", len(ps))
	}
	if len(s.Skipped) != 1 || s.Skipped[0].Resource != "http://gitlab.example.com/twitter/legacy" || !strings.Contains(s.Skipped[0].Reason, "archived") {
		t.Errorf("skipped %+v", s.Skipped)
	}
	want := map[string]any{
		"full_path": "twitter/html5-boilerplate", "visibility": "internal", "default_branch": "main", "fork": false,
		"branch_protected": true, "force_pushes_blocked": true, "merge_restricted_to_maintainers": true,
		"push_restricted_to_maintainers": false, // a deploy key may push
		"merge_access_levels":            []string{"Maintainers"}, "push_access_levels": []string{"Deploy key", "Maintainers"},
		"code_owner_review_required": false, "required_approving_review_count": 3, "approval_rules_count": 1,
		"author_approval_allowed": true, "committers_approval_disabled": false, "reset_approvals_on_push": true,
		"push_rules_configured": true, "prevent_secrets": false, "secret_push_protection_enabled": true, "deploy_keys": 2, "write_deploy_keys": 1,
		"write_deploy_key_titles": []string{"Another Public key"}, "access_tokens": 1,
	}
	for k, v := range want {
		if got := ps[0].Attributes[k]; !equal(got, v) {
			t.Errorf("%s = %#v, want %#v", k, got, v)
		}
	}
	creds := s.ByType(typeCredential)
	if len(creds) != 3 {
		t.Fatalf("credentials %d", len(creds))
	}
	tok := creds[2]
	if tok.ID != "http://gitlab.example.com/twitter/html5-boilerplate#access_token/42" || tok.Attributes["expires_at"] != "2021-01-31T00:00:00Z" || tok.Attributes["write"] != true {
		t.Errorf("token %s %v", tok.ID, tok.Attributes)
	}
	if k := creds[0]; k.Attributes["expires_at"] != "" || k.Attributes["write"] != false {
		t.Errorf("key 1 %v", k.Attributes)
	}
}

func equal(a, b any) bool {
	as, ok1 := a.([]string)
	bs, ok2 := b.([]string)
	if ok1 && ok2 {
		return slices.Equal(as, bs)
	}
	return a == b
}

func TestProjectsLicenceMessageIsAScopeNote(t *testing.T) {
	t.Parallel()
	fx := projectFixtures.With(fixtures{"/api/v4/projects/9/approval_rules": licence, "/api/v4/projects/9/push_rule": {Status: 404, Body: `{"message":"404 Not Found"}`},
		"/api/v4/projects/9/security_settings": {Status: 404, Body: `{"message":"404 Not Found"}`}})
	s, err := run(t, testSource(newServer(t, fx), nil), "gitlab.projects", nil)
	if err != nil || len(s.Failures) != 0 {
		t.Fatalf("err %v failures %v", err, s.Failures)
	}
	p := s.ByType(typeProject)[0]
	for _, a := range append(append(slices.Clone(approvalAttrs), pushRuleAttrs...), securityAttrs...) {
		if _, ok := p.Attributes[a]; ok || !hasGap(p, a, evidence.Denied) {
			t.Errorf("%s = %v, gaps %v; want a tier gap", a, p.Attributes[a], p.Gaps)
		}
	}
	if len(s.Skipped) != 4 {
		t.Errorf("scope notes %+v, want the archived project and three tier notes", s.Skipped)
	}
}

func TestProjectTokensDeniedIsPartial(t *testing.T) {
	t.Parallel()
	fx := projectFixtures.With(fixtures{"/api/v4/projects/9/access_tokens?state=active": forbidden})
	s, err := run(t, testSource(newServer(t, fx), nil), "gitlab.projects", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Failures) != 1 || s.Failures[0].Kind != evidence.Denied || s.Failures[0].Permission != "read_api scope and the Maintainer role" || s.Failures[0].Operation != opAccessTokens {
		t.Fatalf("failures %+v", s.Failures)
	}
	if p := s.ByType(typeProject)[0]; !hasGap(p, "access_tokens", evidence.Denied) {
		t.Errorf("gaps %v", p.Gaps)
	}
}

func TestProjectListingThrottled(t *testing.T) {
	t.Parallel()
	s, err := run(t, testSource(newServer(t, fixtures{projectsKey: rateLimited}), nil), "gitlab.projects", nil)
	if apitest.KindOf(err) != evidence.Throttled || len(s.Resources) != 0 {
		t.Fatalf("err %v (%s), %d resources; want a throttled failed run", err, apitest.KindOf(err), len(s.Resources))
	}
}

func TestProjectCallHangsUntilTheDeadline(t *testing.T) {
	t.Parallel()
	hang, _ := apitest.Blocking()
	srv := newServer(t, projectFixtures.With(fixtures{"/api/v4/projects/9/deploy_keys": hang}))
	hc := srv.Client()
	hc.Timeout = 200 * time.Millisecond
	s, err := run(t, testSource(srv, func(c *Config) { c.HTTPClient = hc }), "gitlab.projects", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Kinds(), []evidence.FailureKind{evidence.Timeout}) {
		t.Fatalf("kinds %v, want timeout", s.Kinds())
	}
	if p := s.ByType(typeProject)[0]; !hasGap(p, "deploy_keys", evidence.Timeout) || p.Attributes["access_tokens"] != 1 {
		t.Errorf("attrs %v gaps %v", p.Attributes, p.Gaps)
	}
}

func TestCancelledMidRequest(t *testing.T) {
	t.Parallel()
	hang, started := apitest.Blocking()
	srv := newServer(t, groupFixtures.With(fixtures{"/api/v4/groups/twitter/members": hang}))
	_, err := run(t, testSource(srv, nil), "gitlab.groups", started)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

func TestReviewsSampleFromDocsExamples(t *testing.T) {
	t.Parallel()
	fx := fixtures{
		"/api/v4/groups/twitter/merge_requests?order_by=updated_at&scope=all&sort=desc&state=merged&updated_after=2010-11-03T00%3A00%3A00Z": {Body: "merge_requests.json"},
		"/api/v4/projects/3/merge_requests/1/approvals": {Body: "mr1_approvals.json"},
		"/api/v4/projects/3/merge_requests/2/approvals": {Body: "mr2_approvals.json"},
	}
	s, err := run(t, testSource(newServer(t, fx), nil), "gitlab.reviews", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.ByType(typeMR)) != 2 {
		t.Fatalf("population %d", len(s.ByType(typeMR)))
	}
	rs := s.ByType(typeMRReview)
	if len(rs) != 2 {
		t.Fatalf("reviews %d", len(rs))
	}
	if self := byName(rs, "my-group/my-project!1"); self.Attributes["approved_by_other"] != false || self.Attributes["author"] != "admin" {
		t.Errorf("self-approved = %v", self.Attributes)
	}
	if other := byName(rs, "my-group/my-project!2"); other.Attributes["approved_by_other"] != true || other.Attributes["approvals_by_others"] != 1 || other.Attributes["merged_at"] != "2011-01-25T09:00:00Z" {
		t.Errorf("approved by admin = %v", other.Attributes)
	}
}

func TestConfigCheck(t *testing.T) {
	t.Parallel()
	neg := -1
	errs := fieldErrors(t, (&Config{
		Groups: []string{"acme/sub", ""}, BaseURL: "ftp://x", Projects: ProjectFilter{Include: []string{"[a-"}, Exclude: []string{""}},
		ReviewSampleSize: -2, MaxRateLimitWaitSeconds: &neg,
	}).Validate())
	var fields []string
	for _, e := range errs {
		fields = append(fields, e.Field)
	}
	want := []string{"groups[0]", "groups[1]", "base_url", "projects.include[0]", "projects.exclude[0]", "review_sample_size", "max_rate_limit_wait_seconds"}
	if !slices.Equal(fields, want) {
		t.Errorf("fields %v, want %v", fields, want)
	}
	if errs := fieldErrors(t, (&Config{}).Validate()); len(errs) != 1 || errs[0].Field != "groups" {
		t.Errorf("empty config: %v", errs)
	}
	if errs := fieldErrors(t, (&Config{Groups: []string{"acme"}, BaseURL: "https://gitlab.example.com"}).Validate()); len(errs) != 0 {
		t.Errorf("good config: %v", errs)
	}
}

// TestPlanRejectsBadConfig: a bad glob or URL stops planning with the
// field's error, before any API call (the fake fails every request).
func TestPlanRejectsBadConfig(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("API called: %s %s", r.Method, r.URL)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	for field, cfg := range map[string]Config{
		"projects.include[0]": {Groups: []string{"acme"}, BaseURL: srv.URL, Projects: ProjectFilter{Include: []string{"app-["}}},
		"base_url":            {Groups: []string{"acme"}, BaseURL: "gitlab.example.com"},
	} {
		_, err := NewSource(cfg).Plan(t.Context(), func(string) bool { return true })
		var fe *collectors.FieldError
		if !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: Plan error %v, want a field error on %s", field, err, field)
		}
	}
}

// fieldErrors returns the *collectors.FieldError values joined in err; any
// other error fails the test.
func fieldErrors(t *testing.T, err error) []*collectors.FieldError {
	t.Helper()
	if err == nil {
		return nil
	}
	errs := []error{err}
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		errs = joined.Unwrap()
	}
	var out []*collectors.FieldError
	for _, e := range errs {
		var fe *collectors.FieldError
		if !errors.As(e, &fe) {
			t.Fatalf("%v is not a *collectors.FieldError", e)
		}
		out = append(out, fe)
	}
	return out
}

func TestProjectFilter(t *testing.T) {
	t.Parallel()
	f := ProjectFilter{Include: []string{"acme/*", "acme/*/*"}, Exclude: []string{"sandbox-*"}}
	for path, want := range map[string]bool{"acme/api": true, "acme/labs/tools": true, "acme/sandbox-x": false, "other/api": false} {
		if got := f.Match(path); got != want {
			t.Errorf("Match(%s) = %v", path, got)
		}
	}
}

func TestBranchMatches(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		pat, branch string
		want        bool
	}{{"main", "main", true}, {"release/*", "release/1.0", true}, {"*", "feature/a/b", true}, {"ma", "main", false}, {"m.in", "main", false}} {
		if got := branchMatches(c.pat, c.branch); got != c.want {
			t.Errorf("branchMatches(%q, %q) = %v", c.pat, c.branch, got)
		}
	}
}
