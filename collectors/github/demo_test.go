package github

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/sourcetest"
	"github.com/attestdev/attest/internal/fake/githubfake"
)

// collectDemo runs every collector against the demo organisation through
// the runner and returns the bundle.
func collectDemo(t *testing.T, mod func(*Config, string, *githubfake.State)) *evidence.Bundle {
	t.Helper()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	state := githubfake.DemoAt(now)
	state.OnUnexpected = t.Errorf
	srv := httptest.NewServer(githubfake.NewHandler(state))
	t.Cleanup(srv.Close)
	cfg := Config{Orgs: []string{githubfake.DemoOrg}, BaseURL: srv.URL, Token: "demo", HTTPClient: srv.Client(), Now: func() time.Time { return now }}
	if mod != nil {
		mod(&cfg, srv.URL, state)
	}
	src := NewSource(cfg)
	b, _, runs := sourcetest.BundleRuns(t, src, now)
	for _, run := range runs {
		if run.Collector == fineGrainedID && cfg.App == nil {
			// Only a GitHub App may list fine-grained tokens: a token's
			// run is denied, never complete.
			if run.Status == evidence.Complete || len(run.Failures) == 0 || run.Failures[0].Kind != evidence.Denied {
				t.Errorf("run %s with a token: %s %v, want denied", run.Collector, run.Status, run.Failures)
			}
			continue
		}
		if run.Status != evidence.Complete {
			t.Errorf("run %s: %s %v", run.Collector, run.Status, run.Failures)
		}
	}
	return b
}

func attr(b *evidence.Bundle, typ, name, key string) any {
	for _, r := range b.Resources {
		if r.Type == typ && r.Name == name {
			return r.Attributes[key]
		}
	}
	return "<missing>"
}

func TestDemo(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		mod  func(*Config, string, *githubfake.State)
	}{
		{name: "token"},
		{name: "enterprise server base URL", mod: func(c *Config, u string, _ *githubfake.State) { c.BaseURL = u + "/api/v3/" }},
		{name: "one item per page", mod: func(_ *Config, _ string, s *githubfake.State) { s.MaxPerPage = 1 }},
		{name: "github app", mod: func(c *Config, _ string, _ *githubfake.State) {
			c.Token = ""
			c.App = &AppConfig{AppID: 1, InstallationID: githubfake.DemoInstallationID, PrivateKey: key}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := collectDemo(t, tc.mod)
			got := map[string]any{
				"org 2fa":              attr(b, typeOrg, githubfake.DemoOrg, "two_factor_requirement_enabled"),
				"org no 2fa":           attr(b, typeOrg, githubfake.DemoOrg, "members_without_2fa"),
				"dave mfa":             attr(b, typeAccount, "dave", "mfa"),
				"alice admin":          attr(b, typeAccount, "alice", "admin"),
				"api protected":        attr(b, typeRepo, "acme-demo/api", "protection_source"),
				"web protected":        attr(b, typeRepo, "acme-demo/web", "protection_source"),
				"web admins":           attr(b, typeRepo, "acme-demo/web", "admins_enforced"),
				"legacy protected":     attr(b, typeRepo, "acme-demo/legacy-billing", "branch_protected"),
				"old-site skipped":     attr(b, typeRepo, "acme-demo/old-site", "archived"),
				"api sast":             attr(b, typeSAST, "acme-demo/api", "sast_source"),
				"web sast conclusion":  attr(b, typeSAST, "acme-demo/web", "last_sast_run_conclusion"),
				"legacy overdue":       attr(b, typeAlerts, "acme-demo/legacy-billing", "dependabot_overdue"),
				"legacy secret scan":   attr(b, typeAlerts, "acme-demo/legacy-billing", "secret_scanning_enabled"),
				"web#12 approved":      attr(b, typeReview, "acme-demo/web#12", "approved_by_other"),
				"api#40 approved":      attr(b, typeReview, "acme-demo/api#40", "approved_by_other"),
				"legacy#3 not in pop.": attr(b, typePull, "acme-demo/legacy-billing#3", "sampled"),
				"api code owners":      attr(b, typeRepo, "acme-demo/api", "code_owner_review_required"),
				"web codeowners file":  attr(b, typeRepo, "acme-demo/web", "codeowners_file"),
				"web code owners":      attr(b, typeRepo, "acme-demo/web", "code_owner_review_required"),
				"web write keys":       attr(b, typeRepo, "acme-demo/web", "write_deploy_key_titles"),
				"api write keys":       attr(b, typeRepo, "acme-demo/api", "write_deploy_keys"),
				"api push protection":  attr(b, typeRepoSecurity, "acme-demo/api", "secret_scanning_push_protection"),
				"web push protection":  attr(b, typeRepoSecurity, "acme-demo/web", "secret_scanning_push_protection"),
				"legacy push prot.":    attr(b, typeRepoSecurity, "acme-demo/legacy-billing", "secret_scanning_push_protection"),
				"org saml":             attr(b, typeOrgSecurity, githubfake.DemoOrg, "saml_sso_enabled"),
				"org allowed actions":  attr(b, typeOrgSecurity, githubfake.DemoOrg, "actions_allowed_actions"),
				"org token":            attr(b, typeOrgSecurity, githubfake.DemoOrg, "default_workflow_permissions"),
			}
			want := map[string]any{
				"org 2fa": true, "org no 2fa": int64(1), "dave mfa": false, "alice admin": true,
				"api protected": "classic", "web protected": "rulesets", "web admins": false, "legacy protected": false,
				"old-site skipped": "<missing>", "api sast": "code_scanning", "web sast conclusion": "failure",
				"legacy overdue": int64(1), "legacy secret scan": false,
				"web#12 approved": false, "api#40 approved": true, "legacy#3 not in pop.": "<missing>",
				"api code owners": true, "web codeowners file": true, "web code owners": false,
				"web write keys": []any{"netlify-deploy"}, "api write keys": int64(0),
				"api push protection": true, "web push protection": false, "legacy push prot.": false,
				"org saml": true, "org allowed actions": "selected", "org token": "read",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("demo evidence (-want +got):\n%s", diff)
			}
			// The installation sees the fine-grained tokens: one expires
			// in 30 days, one never.
			if tc.name == "github app" {
				gotTokens := map[string]any{
					"ci expires":     attr(b, typeFineGrained, "ci-bot/release", "token_expires_at"),
					"laptop expires": attr(b, typeFineGrained, "alice/laptop", "expires"),
				}
				wantTokens := map[string]any{"ci expires": "2026-03-31T12:00:00Z", "laptop expires": false}
				if diff := cmp.Diff(wantTokens, gotTokens); diff != "" {
					t.Errorf("fine-grained tokens (-want +got):\n%s", diff)
				}
			}
			// Every resource points at raw responses, and every record is
			// named by its operation; no credential exchange is kept.
			for _, r := range b.Resources {
				if len(r.Records) == 0 && r.Type != typePull && r.Type != typeAccount {
					t.Errorf("%s %s has no raw records", r.Type, r.ID)
				}
			}
			var ops []string
			for _, rec := range b.Records {
				ops = append(ops, rec.Operation)
				if strings.Contains(rec.Operation, "access_tokens") {
					t.Errorf("credential exchange kept as evidence: %+v", rec)
				}
			}
			for _, op := range []string{"GET /orgs/{org}", "POST /graphql", "GET /orgs/{org}/secret-scanning/alerts"} {
				if !slices.Contains(ops, op) {
					t.Errorf("no raw record of %s in %v", op, ops)
				}
			}
			raw, err := os.ReadDir(filepath.Join(b.Dir, evidence.RawDir))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range raw {
				data, _ := os.ReadFile(filepath.Join(b.Dir, evidence.RawDir, e.Name()))
				if strings.Contains(string(data), "ghs_demo") {
					t.Errorf("installation token in raw evidence %s", e.Name())
				}
			}
		})
	}
}
