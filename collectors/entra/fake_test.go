package entra_test

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/entra"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/gcptest"
	"github.com/attestdev/attest/collectors/internal/sourcetest"
	"github.com/attestdev/attest/internal/fake/entrafake"
)

// collectDemo runs every collector against the demo tenant, with pages of
// two, through the runner, and returns the bundle and its directory.
func collectDemo(t *testing.T, st *entrafake.State) (*evidence.Bundle, string) {
	t.Helper()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st.PageSize = 2
	st.OnUnexpected = t.Errorf
	srv := httptest.NewServer(entrafake.NewHandler(st))
	t.Cleanup(srv.Close)
	src := entra.NewSource(entra.Config{TenantID: entrafake.DemoTenant, GraphEndpoint: srv.URL, HTTPClient: srv.Client(),
		Credential: entrafake.Credential{Token: entrafake.DemoToken}})
	b, dir := sourcetest.Bundle(t, src, now)
	gcptest.CheckAttributes(t, src.Collectors(), b.Resources)
	return b, dir
}

// TestFake runs every collector against the demo tenant and checks the
// demo's mix of outcomes, and that the bearer token is nowhere in the
// bundle.
func TestFake(t *testing.T) {
	t.Parallel()
	b, dir := collectDemo(t, entrafake.DemoAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	count := map[string]int{}
	var noMFA, stale, guestsWithRoles []string
	cutoff := "2025-10-03T00:00:00Z" // 90 days before the demo's now
	for _, r := range b.Resources {
		count[r.Type]++
		if len(r.Records) == 0 {
			t.Errorf("%s %s points at no raw response", r.Type, r.Name)
		}
		a := r.Attributes
		if r.Type != "entra.user" || a["enabled"] != true {
			continue
		}
		if a["user_type"] == "Member" && a["mfa_registered"] != true {
			noMFA = append(noMFA, r.Name)
		}
		if last, _ := a["last_sign_in"].(string); last < cutoff {
			stale = append(stale, r.Name)
		}
		if roles, _ := a["roles"].([]any); a["user_type"] == "Guest" && len(roles) > 0 {
			guestsWithRoles = append(guestsWithRoles, r.Name)
		}
	}
	want := map[string]int{"entra.user": 6, "identity.account": 6, "entra.directory_role": 3, "entra.conditional_access_policy": 2, "entra.tenant": 1}
	for k, v := range want {
		if count[k] != v {
			t.Errorf("%s: %d resources, want %d", k, count[k], v)
		}
	}
	if !slices.Equal(noMFA, []string{"carol@acme-demo.example"}) {
		t.Errorf("enabled members without MFA = %v, want carol", noMFA)
	}
	if !slices.Equal(stale, []string{"carol@acme-demo.example"}) {
		t.Errorf("enabled without a sign-in in 90 days = %v, want carol", stale)
	}
	if !slices.Equal(guestsWithRoles, []string{"pat_contractor.example#EXT#@acmedemo.onmicrosoft.com"}) {
		t.Errorf("guests with roles = %v, want pat", guestsWithRoles)
	}
	sourcetest.NoSecretInFiles(t, dir, entrafake.DemoToken)
}

// TestFakeWithoutLicence checks a tenant without Entra ID P1/P2: the users
// are read, their last sign-in and MFA registration are unknown (gaps), not
// "never" or "not registered".
func TestFakeWithoutLicence(t *testing.T) {
	t.Parallel()
	st := entrafake.DemoAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	st.Licensed = false
	st.PageSize = 2
	st.OnUnexpected = t.Errorf
	srv := httptest.NewServer(entrafake.NewHandler(st))
	t.Cleanup(srv.Close)
	src := entra.NewSource(entra.Config{TenantID: entrafake.DemoTenant, GraphEndpoint: srv.URL, HTTPClient: srv.Client(),
		Credential: entrafake.Credential{Token: entrafake.DemoToken}})
	jobs, err := src.Plan(t.Context(), func(id string) bool { return id == "entra.users" })
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{}
	if err := jobs[0].Collector.Collect(t.Context(), jobs[0].Target, s); err != nil {
		t.Fatal(err)
	}
	users := 0
	for _, r := range s.res {
		if r.Type != "entra.user" {
			continue
		}
		users++
		if _, ok := r.Attributes["last_sign_in"]; ok {
			t.Errorf("%s: last_sign_in %v, want unknown", r.Name, r.Attributes["last_sign_in"])
		}
		if !slices.ContainsFunc(r.Gaps, func(g evidence.Gap) bool {
			return g.Attribute == "last_sign_in" && g.Kind == evidence.Denied && strings.Contains(g.Permission, "P1 or P2")
		}) {
			t.Errorf("%s: gaps %v lack the licence", r.Name, r.Gaps)
		}
	}
	if users != 6 {
		t.Errorf("%d users, want 6", users)
	}
	// The licence is a property of the tenant, not a failed call: the
	// gaps say what is unknown and the run stands, so the controls that do
	// not read sign-ins or MFA registration are decided.
	if len(s.fails) != 0 {
		t.Errorf("failures %v, want none", s.fails)
	}
	for _, r := range s.res {
		if r.Type == "entra.user" && !slices.ContainsFunc(r.Gaps, func(g evidence.Gap) bool {
			return g.Attribute == "mfa_registered" && strings.Contains(g.Permission, "P1 or P2")
		}) {
			t.Errorf("%s: gaps %v lack the registration report's licence", r.Name, r.Gaps)
		}
	}
}

type sink struct {
	res   []evidence.Resource
	fails []evidence.Failure
}

func (s *sink) Emit(r evidence.Resource) { s.res = append(s.res, r) }
func (s *sink) Fail(f evidence.Failure)  { s.fails = append(s.fails, f) }
