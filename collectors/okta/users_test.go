package okta

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

func TestUsersCollector(t *testing.T) {
	t.Parallel()
	const (
		users   = "/api/v1/users"
		deprov  = `/api/v1/users?search=status+eq+%22DEPROVISIONED%22`
		isaac   = "/api/v1/users/00ub0oNGTSWTBKOLGLNR"
		stubby  = "/api/v1/users/00ud4tVDDXYVKPXKVLCO"
		dade    = "/api/v1/users/00u1ero7vZFVEIYLWPBN"
		oldAdm  = "/api/v1/users/00u5deprovisioned"
		page2   = "/api/v1/users?after=00ud4tVDDXYVKPXKVLCO"
		pageURL = "{server}/api/v1/users?after=00ud4tVDDXYVKPXKVLCO&limit=2"
	)
	happy := fixtures{
		users:               {Body: "users.json"},
		deprov:              {Body: "users_deprovisioned.json"},
		isaac + "/factors":  {Body: "factors.json"},
		isaac + "/roles":    {Body: "roles.json"},
		stubby + "/factors": {Body: "factors_question_only.json"},
		stubby + "/roles":   {Body: "empty.json"},
		oldAdm + "/factors": {Body: "empty.json"},
		oldAdm + "/roles":   {Body: "roles.json"},
		dade + "/factors":   {Body: "factors_question_only.json"},
		dade + "/roles":     {Body: "empty.json"},
	}
	type u struct {
		id, login, email, status string
		active, mfa, admin       bool
		factors, roles           []any
		lastLogin                string
	}
	isaacU := u{"00ub0oNGTSWTBKOLGLNR", "isaac.brock@example.com", "Isaac.Brock@example.com", "ACTIVE", true, true, true,
		[]any{"push", "question"}, []any{"APP_ADMIN", "HELP_DESK_ADMIN"}, "2013-06-24T17:39:19Z"}
	stubbyU := u{"00ud4tVDDXYVKPXKVLCO", "stubby.brock@example.com", "stubby.brock@example.com", "SUSPENDED", false, false, false,
		[]any{"question"}, []any{}, ""}
	oldU := u{"00u5deprovisioned", "old.admin@example.com", "old.admin@example.com", "DEPROVISIONED", false, false, true,
		[]any{}, []any{"APP_ADMIN", "HELP_DESK_ADMIN"}, ""}
	dadeU := u{"00u1ero7vZFVEIYLWPBN", "dade.murphy@example.com", "dade.murphy@example.com", "ACTIVE", true, false, false,
		[]any{"question"}, []any{}, "2013-06-24T17:39:19Z"}
	build := func(host string, us ...u) (want []evidence.Resource, accs []evidence.Resource) {
		for _, x := range us {
			want = append(want, evidence.Resource{Type: "okta.user", ID: "http://" + host + "/api/v1/users/" + x.id, Name: x.login, Account: host,
				Attributes: map[string]any{"status": x.status, "active": x.active, "factor_types": x.factors, "mfa": x.mfa,
					"admin_roles": x.roles, "admin": x.admin, "last_login": x.lastLogin, "created": "2013-06-24T16:39:18Z"}})
			accs = append(accs, evidence.Resource{Type: "identity.account", ID: "okta:" + host + ":" + x.id, Name: x.login, Account: host,
				Attributes: map[string]any{"system": "okta", "account_id": host, "user": x.login, "email": x.email,
					"person": strings.ToLower(x.email), "mfa": x.mfa, "admin": x.admin, "last_login": x.lastLogin, "active": x.active}})
		}
		return want, accs
	}
	blockReply, started := blocking()

	tests := []struct {
		name     string
		fx       fixtures
		started  chan struct{}
		wantErr  evidence.FailureKind
		want     []u
		mod      func(users, accs []evidence.Resource)
		wantFail []evidence.FailureKind
	}{
		{name: "happy", fx: happy, want: []u{isaacU, oldU, stubbyU}},
		{name: "two pages", fx: happy.With(fixtures{
			users: {Body: "users.json", Header: map[string]string{"Link": "<" + pageURL + `>; rel="next"`}},
			page2: {Body: "users_page2.json"},
		}), want: []u{dadeU, isaacU, oldU, stubbyU}},
		{name: "empty", fx: fixtures{users: {Body: "empty.json"}, deprov: {Body: "empty.json"}}},
		{name: "factors and roles not found are unknown, not none", fx: happy.With(fixtures{
			stubby + "/factors": missing, stubby + "/roles": missing,
		}), want: []u{isaacU, oldU, stubbyU},
			mod: func(us, accs []evidence.Resource) {
				for _, a := range []string{"factor_types", "mfa", "admin_roles", "admin"} {
					delete(us[2].Attributes, a)
				}
				delete(accs[2].Attributes, "mfa")
				delete(accs[2].Attributes, "admin")
				gf := evidence.Gap{Attribute: "factor_types", Kind: evidence.Errored, Operation: opListFactors}
				gm := evidence.Gap{Attribute: "mfa", Kind: evidence.Errored, Operation: opListFactors}
				gr := evidence.Gap{Attribute: "admin_roles", Kind: evidence.Errored, Operation: opListRoles}
				ga := evidence.Gap{Attribute: "admin", Kind: evidence.Errored, Operation: opListRoles}
				us[2].Gaps = []evidence.Gap{gf, gm, gr, ga}
				accs[2].Gaps = []evidence.Gap{gm, ga}
			}, wantFail: []evidence.FailureKind{evidence.Errored}},
		{name: "denied", fx: fixtures{users: forbidden}, wantErr: evidence.Denied},
		{name: "denied roles", fx: happy.With(fixtures{isaac + "/roles": forbidden}), want: []u{isaacU, oldU, stubbyU},
			mod: func(us, accs []evidence.Resource) {
				delete(us[0].Attributes, "admin_roles")
				delete(us[0].Attributes, "admin")
				delete(accs[0].Attributes, "admin")
				g1 := evidence.Gap{Attribute: "admin_roles", Kind: evidence.Denied, Operation: opListRoles, Permission: scopeRoles}
				g2 := evidence.Gap{Attribute: "admin", Kind: evidence.Denied, Operation: opListRoles, Permission: scopeRoles}
				us[0].Gaps = []evidence.Gap{g1, g2}
				accs[0].Gaps = []evidence.Gap{g2}
			}, wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "throttled", fx: fixtures{users: rateLimited}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: happy.With(fixtures{stubby + "/factors": blockReply}), started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.fx)
			s, err := run(t, testSource(srv), "okta.users", tt.started)
			if tt.wantErr != "" {
				apitest.WantKind(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			wantUsers, wantAccs := build(strings.TrimPrefix(srv.URL, "http://"), tt.want...)
			if tt.mod != nil {
				tt.mod(wantUsers, wantAccs)
			}
			if diff := cmp.Diff(wantUsers, s.ByType("okta.user")); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantAccs, s.ByType("identity.account")); diff != "" {
				t.Errorf("accounts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantFail, s.Kinds()); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}
