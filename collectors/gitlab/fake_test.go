package gitlab

import (
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
	"github.com/attestdev/attest/internal/fake/gitlabfake"
)

var fakeNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// fakeSource returns a source pointed at a gitlabfake serving st.
func fakeSource(t *testing.T, st *gitlabfake.State, mod func(*Config)) *Source {
	t.Helper()
	st.OnUnexpected = t.Errorf
	srv := httptest.NewServer(gitlabfake.NewHandler(st))
	t.Cleanup(srv.Close)
	zero := 0
	cfg := Config{Groups: []string{gitlabfake.DemoGroup}, BaseURL: srv.URL, Token: "glpat-test", HTTPClient: srv.Client(), MaxRateLimitWaitSeconds: &zero, Now: func() time.Time { return fakeNow }}
	if mod != nil {
		mod(&cfg)
	}
	return NewSource(cfg)
}

func runFake(t *testing.T, src *Source, id string) (*apitest.Sink, error) {
	t.Helper()
	return apitest.Collect(t, src.Collectors(), id, evidence.Target{Source: SourceName, Account: gitlabfake.DemoGroup}, nil)
}

func byName(rs []evidence.Resource, name string) evidence.Resource {
	for _, r := range rs {
		if r.Name == name {
			return r
		}
	}
	return evidence.Resource{}
}

func TestDemoGroups(t *testing.T) {
	t.Parallel()
	s, err := runFake(t, fakeSource(t, gitlabfake.DemoAt(fakeNow), nil), "gitlab.groups")
	if err != nil {
		t.Fatal(err)
	}
	groups := s.ByType(typeGroup)
	if len(groups) != 2 {
		t.Fatalf("got %d groups, want 2", len(groups))
	}
	top := byName(groups, "acme-eng")
	want := map[string]any{"two_factor_requirement_enabled": true, "two_factor_grace_period_hours": int64(48), "members_count": 3, "owners_count": 1, "members_without_2fa": 0, "top_level": true}
	for k, v := range want {
		if top.Attributes[k] != v {
			t.Errorf("acme-eng %s = %#v, want %#v", k, top.Attributes[k], v)
		}
	}
	if labs := byName(groups, "acme-eng/labs"); labs.Attributes["members_without_2fa"] != 1 || labs.Attributes["top_level"] != false ||
		labs.Attributes["pending_invitations"] != 1 || labs.Attributes["oldest_invitation_at"] != ts(new(fakeNow.Add(-5*24*time.Hour))) {
		t.Errorf("labs = %v", labs.Attributes)
	}
	if top.Attributes["pending_invitations"] != 1 || top.Attributes["oldest_invitation_at"] != ts(new(fakeNow.Add(-60*24*time.Hour))) ||
		top.Attributes["audit_events_available"] != true || top.Attributes["newest_audit_event_at"] != ts(new(fakeNow.Add(-26*time.Hour))) {
		t.Errorf("acme-eng invitations and audit events = %v", top.Attributes)
	}
	accts := s.ByType(typeAccount)
	if len(accts) != 4 {
		t.Fatalf("got %d accounts, want 4", len(accts))
	}
	if c := byName(accts, "carol"); c.Attributes["mfa"] != false || c.Attributes["admin"] != false || c.Attributes["access_level"] != 30 {
		t.Errorf("carol = %v", c.Attributes)
	}
	if a := byName(accts, "alice"); a.Attributes["mfa"] != true || a.Attributes["admin"] != true || a.Attributes["person"] != "alice" {
		t.Errorf("alice = %v", a.Attributes)
	}
}

func TestMembers2FAHiddenBelowOwner(t *testing.T) {
	t.Parallel()
	st := gitlabfake.DemoAt(fakeNow)
	st.ViewerIsOwner = false
	s, err := runFake(t, fakeSource(t, st, nil), "gitlab.groups")
	if err != nil {
		t.Fatal(err)
	}
	top := byName(s.ByType(typeGroup), "acme-eng")
	if _, ok := top.Attributes["members_without_2fa"]; ok || !hasGap(top, "members_without_2fa", evidence.Denied) {
		t.Errorf("members_without_2fa without Owner: attrs %v gaps %v, want a denied gap", top.Attributes, top.Gaps)
	}
	for _, a := range append(slices.Clone(invitationAttrs), auditAttrs...) {
		if _, ok := top.Attributes[a]; ok || !hasGap(top, a, evidence.Denied) {
			t.Errorf("%s without Owner: attrs %v gaps %v, want a denied gap", a, top.Attributes, top.Gaps)
		}
	}
	if len(s.Failures) != 0 {
		t.Errorf("failures %v; Owner-only facts are gaps", s.Failures)
	}
	for _, a := range s.ByType(typeAccount) {
		if _, ok := a.Attributes["mfa"]; ok || !hasGap(a, "mfa", evidence.Denied) {
			t.Errorf("%s: mfa %v gaps %v, want a denied gap", a.Name, a.Attributes["mfa"], a.Gaps)
		}
	}
}

func hasGap(r evidence.Resource, attr string, kind evidence.FailureKind) bool {
	return slices.ContainsFunc(r.Gaps, func(g evidence.Gap) bool { return g.Attribute == attr && g.Kind == kind })
}

func TestDemoProjects(t *testing.T) {
	t.Parallel()
	st := gitlabfake.DemoAt(fakeNow)
	st.MaxPerPage = 1 // every list pages
	s, err := runFake(t, fakeSource(t, st, nil), "gitlab.projects")
	if err != nil {
		t.Fatal(err)
	}
	ps := s.ByType(typeProject)
	if len(ps) != 3 {
		t.Fatalf("got %d projects, want 3 (the archived one skipped)", len(ps))
	}
	if !slices.ContainsFunc(s.Skipped, func(sk evidence.Skip) bool {
		return sk.Resource == "https://gitlab.example.com/acme-eng/labs/prototype"
	}) {
		t.Errorf("archived project not recorded as skipped: %v", s.Skipped)
	}
	api := byName(ps, "acme-eng/api")
	for k, v := range map[string]any{
		"branch_protected": true, "force_pushes_blocked": true, "merge_restricted_to_maintainers": true, "push_restricted_to_maintainers": true,
		"code_owner_review_required": true, "required_approving_review_count": 2, "author_approval_allowed": false,
		"committers_approval_disabled": true, "reset_approvals_on_push": true, "prevent_secrets": true, "push_rules_configured": true,
		"secret_push_protection_enabled": true,
		"deploy_keys":                    1, "write_deploy_keys": 0, "access_tokens": 1,
	} {
		if api.Attributes[k] != v {
			t.Errorf("api %s = %#v, want %#v", k, api.Attributes[k], v)
		}
	}
	web := byName(ps, "acme-eng/web")
	for k, v := range map[string]any{
		"force_pushes_blocked": false, "merge_restricted_to_maintainers": false, "author_approval_allowed": true,
		"push_rules_configured": false, "prevent_secrets": false, "write_deploy_keys": 1, "secret_push_protection_enabled": false,
	} {
		if web.Attributes[k] != v {
			t.Errorf("web %s = %#v, want %#v", k, web.Attributes[k], v)
		}
	}
	if tools := byName(ps, "acme-eng/labs/tools"); tools.Attributes["branch_protected"] != false || tools.Attributes["merge_restricted_to_maintainers"] != false {
		t.Errorf("tools = %v", tools.Attributes)
	}
	creds := s.ByType(typeCredential)
	if len(creds) != 3 {
		t.Fatalf("got %d credentials, want 3", len(creds))
	}
	tok := byName(creds, "acme-eng/api: release-bot")
	if tok.Attributes["expires_at"] != "2026-01-31T00:00:00Z" || tok.Attributes["kind"] != "project_access_token" || tok.Attributes["write"] != false {
		t.Errorf("token = %v", tok.Attributes)
	}
	if k := byName(creds, "acme-eng/web: legacy-deploy"); k.Attributes["expires_at"] != "" || k.Attributes["write"] != true {
		t.Errorf("legacy key = %v", k.Attributes)
	}
}

func TestFreeTierIsAScopeNoteNotAPass(t *testing.T) {
	t.Parallel()
	st := gitlabfake.DemoAt(fakeNow)
	st.Free = true
	s, err := runFake(t, fakeSource(t, st, nil), "gitlab.projects")
	if err != nil {
		t.Fatal(err)
	}
	api := byName(s.ByType(typeProject), "acme-eng/api")
	for _, a := range append(append(slices.Clone(approvalAttrs), pushRuleAttrs...), securityAttrs...) {
		if _, ok := api.Attributes[a]; ok || !hasGap(api, a, evidence.Denied) {
			t.Errorf("%s on Free: value %v, gaps %v; want a tier gap", a, api.Attributes[a], api.Gaps)
		}
	}
	if !slices.ContainsFunc(s.Skipped, func(sk evidence.Skip) bool {
		return sk.Resource == api.ID+"#merge request approval settings"
	}) {
		t.Errorf("no scope note for the missing approval API: %v", s.Skipped)
	}
	if api.Attributes["code_owner_review_required"] != false {
		t.Errorf("code owner approval on Free = %v, want false", api.Attributes["code_owner_review_required"])
	}
}

func TestDemoReviews(t *testing.T) {
	t.Parallel()
	s, err := runFake(t, fakeSource(t, gitlabfake.DemoAt(fakeNow), func(c *Config) { c.ReviewSampleSize = 2 }), "gitlab.reviews")
	if err != nil {
		t.Fatal(err)
	}
	pop := s.ByType(typeMR)
	if len(pop) != 3 {
		t.Fatalf("population %d, want 3", len(pop))
	}
	sampled := 0
	for _, m := range pop {
		if m.Attributes["sampled"] == true {
			sampled++
		}
	}
	reviews := s.ByType(typeMRReview)
	if sampled != 2 || len(reviews) != 2 {
		t.Fatalf("sampled %d, reviews %d, want 2 and 2", sampled, len(reviews))
	}
	// With the whole population sampled, carol's self-approved change fails.
	s, err = runFake(t, fakeSource(t, gitlabfake.DemoAt(fakeNow), nil), "gitlab.reviews")
	if err != nil {
		t.Fatal(err)
	}
	self := byName(s.ByType(typeMRReview), "acme-eng/web!7")
	if self.Attributes["approved_by_other"] != false || self.Attributes["approvals_by_others"] != 0 {
		t.Errorf("self-approved MR = %v", self.Attributes)
	}
	if r := byName(s.ByType(typeMRReview), "acme-eng/api!41"); r.Attributes["approvals_by_others"] != 2 {
		t.Errorf("api!41 = %v", r.Attributes)
	}
}

func TestDemoScanning(t *testing.T) {
	t.Parallel()
	s, err := runFake(t, fakeSource(t, gitlabfake.DemoAt(fakeNow), nil), "gitlab.scanning")
	if err != nil {
		t.Fatal(err)
	}
	rs := s.ByType(typeScanning)
	if len(rs) != 3 {
		t.Fatalf("got %d, want 3", len(rs))
	}
	api := byName(rs, "acme-eng/api")
	if api.Attributes["last_sast_at"] != "2025-12-31T19:00:00Z" || api.Attributes["last_secret_detection_at"] == "" || api.Attributes["last_dependency_scanning_at"] == "" ||
		api.Attributes["codeowners_file"] != true || api.Attributes["codeowners_path"] != ".gitlab/CODEOWNERS" {
		t.Errorf("api = %v", api.Attributes)
	}
	web := byName(rs, "acme-eng/web")
	if web.Attributes["last_secret_detection_at"] != "" || web.Attributes["last_sast_at"] == "" ||
		web.Attributes["codeowners_file"] != false || web.Attributes["codeowners_path"] != "" {
		t.Errorf("web = %v", web.Attributes)
	}
	tools := byName(rs, "acme-eng/labs/tools")
	if tools.Attributes["last_pipeline_at"] != "" || tools.Attributes["last_sast_at"] != "" || len(tools.Gaps) != 0 {
		t.Errorf("tools (no pipeline) = %v %v", tools.Attributes, tools.Gaps)
	}
}

func TestFreeTierHasNoGroupAuditEvents(t *testing.T) {
	t.Parallel()
	st := gitlabfake.DemoAt(fakeNow)
	st.Free = true
	s, err := runFake(t, fakeSource(t, st, nil), "gitlab.groups")
	if err != nil || len(s.Failures) != 0 {
		t.Fatalf("err %v failures %v", err, s.Failures)
	}
	top := byName(s.ByType(typeGroup), "acme-eng")
	if top.Attributes["audit_events_available"] != false || !hasGap(top, "newest_audit_event_at", evidence.Denied) {
		t.Errorf("Free: attrs %v gaps %v; want audit events unavailable and their time a tier gap", top.Attributes, top.Gaps)
	}
	if !slices.ContainsFunc(s.Skipped, func(sk evidence.Skip) bool { return sk.Resource == top.ID+"#audit_events" }) {
		t.Errorf("no scope note for the missing audit events: %v", s.Skipped)
	}
}
