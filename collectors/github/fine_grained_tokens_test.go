package github

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

func TestFineGrainedTokensCollector(t *testing.T) {
	t.Parallel()
	const list = "/orgs/octo-org/personal-access-tokens"
	token := func(id, name string, attrs map[string]any) evidence.Resource {
		return evidence.Resource{Type: typeFineGrained, ID: "https://github.com/octo-org#fine-grained-token/" + id, Name: name, Account: "octo-org", Attributes: attrs}
	}
	some := token("25381", "octocat/Some Token", map[string]any{"owner": "octocat", "token_name": "Some Token", "expires": true,
		"token_expires_at": "2023-11-16T15:47:09Z", "token_expired": false, "access_granted_at": "2023-05-16T15:47:09Z", "token_last_used_at": ""})
	deploy := token("25390", "hubot/deploy", map[string]any{"owner": "hubot", "token_name": "deploy", "expires": false,
		"token_expires_at": "", "token_expired": false, "access_granted_at": "2023-06-01T10:00:00Z", "token_last_used_at": "2023-06-02T11:00:00Z"})
	patDenied := reply{Status: 403, Body: "errors/pat_not_allowed.json"}
	blockReply, started := blocking()
	tests := []struct {
		name     string
		fx       fixtures
		started  chan struct{}
		wantErr  evidence.FailureKind
		wantPerm string
		want     []evidence.Resource
	}{
		{name: "happy", fx: fixtures{list: {Body: "personal-access-tokens/list.json"}}, want: []evidence.Resource{some}},
		{name: "two pages", fx: fixtures{list: {Body: "personal-access-tokens/list.json", Header: next(list)}, list + "?page=2": {Body: "personal-access-tokens/list_page2.json"}},
			want: []evidence.Resource{some, deploy}},
		{name: "empty", fx: fixtures{list: {Body: "empty_list.json"}}},
		{name: "absent organisation", fx: fixtures{list: {Status: 404, Body: "errors/not_found.json"}}, wantErr: evidence.Errored},
		{name: "denied: a personal access token may not list", fx: fixtures{list: patDenied}, wantErr: evidence.Denied, wantPerm: permFineGrainedPAT},
		{name: "denied on the second page", fx: fixtures{list: {Body: "personal-access-tokens/list.json", Header: next(list)}, list + "?page=2": patDenied},
			wantErr: evidence.Denied},
		{name: "rate limited", fx: fixtures{list: rateLimited}, wantErr: evidence.Throttled},
		{name: "secondary rate limited", fx: fixtures{list: secondaryLimited}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: fixtures{list: blockReply}, started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.fx)
			s, err := run(t, testSource(srv, nil), fineGrainedID, tt.started)
			if tt.wantErr != "" {
				if err == nil || kindOf(err) != tt.wantErr {
					t.Fatalf("err = %v (%s), want kind %s", err, kindOf(err), tt.wantErr)
				}
				if f := collectors.FailureOf(err, ""); tt.wantPerm != "" && f.Permission != tt.wantPerm {
					t.Errorf("permission = %q, want %q", f.Permission, tt.wantPerm)
				}
				if tt.wantErr == evidence.Cancelled && !errors.Is(err, context.Canceled) {
					t.Fatalf("err = %v, want context.Canceled in chain", err)
				}
				if n := len(s.ByType(typeFineGrained)); n != 0 {
					t.Errorf("%d tokens emitted from a failed listing, want none", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if diff := cmp.Diff(tt.want, s.ByType(typeFineGrained)); diff != "" {
				t.Errorf("tokens (-want +got):\n%s", diff)
			}
		})
	}
}
