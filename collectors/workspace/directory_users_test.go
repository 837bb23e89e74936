package workspace

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
	"github.com/attestdev/attest/collectors/internal/gcptest"
)

func TestUsersCollector(t *testing.T) {
	t.Parallel()
	const list = "GET /admin/directory/v1/users?customer=my_customer"
	type u struct {
		id, email                                       string
		enrolled, enforced, super, delegated, suspended bool
		last, created, ou                               string
	}
	liz := u{"101391513637001247111", "Liz@example.com", true, true, true, false, false, "2013-02-05T10:30:03Z", "2010-04-05T17:30:04Z", "/"}
	mike := u{"101391513637001247222", "mike@example.com", false, false, false, true, true, "", "2012-04-05T17:30:04Z", "/sales"}
	ann := u{"101391513637001247333", "ann@example.com", false, false, false, false, false, "2013-02-05T10:30:03Z", "2010-04-05T17:30:04Z", "/"}
	build := func(us ...u) (users, accs []evidence.Resource) {
		for _, x := range us {
			users = append(users, evidence.Resource{Type: typeUser, ID: x.id, Name: x.email, Account: "my_customer", Attributes: map[string]any{
				"enrolled_2sv": x.enrolled, "enforced_2sv": x.enforced, "super_admin": x.super, "delegated_admin": x.delegated,
				"suspended": x.suspended, "archived": false, "last_login": x.last, "created": x.created, "org_unit": x.ou,
			}})
			lower := map[string]string{"Liz@example.com": "liz@example.com"}[x.email]
			if lower == "" {
				lower = x.email
			}
			accs = append(accs, evidence.Resource{Type: typeAccount, ID: "workspace:my_customer:" + x.id, Name: x.email, Account: "my_customer", Attributes: map[string]any{
				"system": "workspace", "account_id": "my_customer", "user": x.email, "email": x.email, "person": lower,
				"mfa": x.enrolled, "admin": x.super || x.delegated, "last_login": x.last, "active": !x.suspended,
			}})
		}
		return users, accs
	}
	blockReply, started := gcptest.Blocking()
	tests := []struct {
		name    string
		fx      gcptest.Fixtures
		started chan struct{}
		wantErr evidence.FailureKind
		want    []u
	}{
		{name: "happy (mike never signed in)", fx: gcptest.Fixtures{list: {Body: "users.json"}}, want: []u{liz, mike}},
		{name: "two pages", fx: gcptest.Fixtures{
			list:                             {Body: "users_page1.json"},
			list + "&pageToken=NEXT-TOKEN-1": {Body: "users_page2.json"},
		}, want: []u{liz, ann, mike}},
		{name: "empty", fx: gcptest.Fixtures{list: {Body: "users_empty.json"}}},
		{name: "absent customer is an error, not an empty directory", fx: gcptest.Fixtures{list: gcptest.NotFoundReply}, wantErr: evidence.Errored},
		{name: "denied", fx: gcptest.Fixtures{list: gcptest.DeniedReply}, wantErr: evidence.Denied},
		{name: "throttled", fx: gcptest.Fixtures{list: gcptest.ThrottledReply}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: gcptest.Fixtures{list: blockReply}, started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := runFixture(t, tt.fx, "workspace.users", tt.started, func(c *Config) { c.Retries = nil })
			if tt.wantErr != "" {
				apitest.WantKind(t, err, tt.wantErr)
				if tt.wantErr == evidence.Denied {
					var api *collectors.APIError
					if !errors.As(err, &api) || api.Permission != scopeUsers || api.Operation != opListUsers {
						t.Errorf("err = %#v, want operation %s and permission %s", api, opListUsers, scopeUsers)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			wantUsers, wantAccs := build(tt.want...)
			if diff := cmp.Diff(wantUsers, s.ByType(typeUser)); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantAccs, s.ByType(typeAccount)); diff != "" {
				t.Errorf("accounts (-want +got):\n%s", diff)
			}
		})
	}
}
