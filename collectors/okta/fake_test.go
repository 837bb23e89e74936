package okta_test

import (
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/gcptest"
	"github.com/attestdev/attest/collectors/okta"
	"github.com/attestdev/attest/internal/fake/oktafake"
)

type sink struct {
	res   []evidence.Resource
	fails []evidence.Failure
}

func (s *sink) Emit(r evidence.Resource) { s.res = append(s.res, r) }
func (s *sink) Fail(f evidence.Failure)  { s.fails = append(s.fails, f) }

// TestFake runs every collector against the demo organisation, with pages
// of two users, and checks the demo's mix of outcomes.
func TestFake(t *testing.T) {
	t.Parallel()
	st := oktafake.DemoAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	st.PageSize = 2
	st.OnUnexpected = t.Errorf
	srv := httptest.NewServer(oktafake.NewHandler(st))
	t.Cleanup(srv.Close)
	src := okta.NewSource(okta.Config{OrgURL: srv.URL, Token: oktafake.DemoToken, HTTPClient: srv.Client()})
	jobs, err := src.Plan(t.Context(), func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{}
	for _, j := range jobs {
		if err := j.Collector.Collect(t.Context(), j.Target, s); err != nil {
			t.Fatalf("%s: %v", j.Collector.Describe().ID, err)
		}
	}
	if len(s.fails) > 0 {
		t.Errorf("failures: %v", s.fails)
	}
	gcptest.CheckAttributes(t, src.Collectors(), s.res)
	count := map[string]int{}
	var noMFA, dormant, adminNoMFA, longSessions []string
	cutoff := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -90).Format(time.RFC3339)
	for _, r := range s.res {
		count[r.Type]++
		if r.Type == "identity.account" && r.Attributes["active"] == true && r.Attributes["mfa"] == false {
			noMFA = append(noMFA, r.Name)
		}
		if r.Type == "okta.user" && r.Attributes["active"] == true && r.Attributes["admin"] == true && r.Attributes["mfa"] == false {
			adminNoMFA = append(adminNoMFA, r.Name)
		}
		if r.Type == "okta.sign_on_policy" && (r.Attributes["rules_without_session_lifetime"] != 0 || r.Attributes["max_session_idle_minutes"].(int) > 60) {
			longSessions = append(longSessions, r.Name)
		}
		if last, _ := r.Attributes["last_login"].(string); r.Type == "okta.user" && r.Attributes["active"] == true && last < cutoff {
			dormant = append(dormant, r.Name)
		}
	}
	want := map[string]int{"okta.user": 5, "identity.account": 5, "okta.password_policy": 1, "okta.mfa_enroll_policy": 1, "okta.sign_on_policy": 2}
	for k, v := range want {
		if count[k] != v {
			t.Errorf("%s: %d resources, want %d", k, count[k], v)
		}
	}
	if !slices.Equal(noMFA, []string{"carol@acme-demo.example"}) {
		t.Errorf("active without MFA = %v, want carol", noMFA)
	}
	// OKTA-008 fails on carol (help desk admin, security question only) and
	// passes on alice (super admin with push).
	if !slices.Equal(adminNoMFA, []string{"carol@acme-demo.example"}) {
		t.Errorf("active admins without MFA = %v, want carol", adminNoMFA)
	}
	// OKTA-007 fails on the default policy (sessions never expire) and
	// passes on Administrators.
	if !slices.Equal(longSessions, []string{"Default Policy"}) {
		t.Errorf("sign-on policies with long sessions = %v, want Default Policy", longSessions)
	}
	// OKTA-006 fails on carol in the demo: active, unused for 130 days.
	if !slices.Equal(dormant, []string{"carol@acme-demo.example"}) {
		t.Errorf("active without a sign-in in 90 days = %v, want carol", dormant)
	}
}
