package workspace

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
	"github.com/attestdev/attest/collectors/internal/gcptest"
)

// jobOf returns the job of collector id.
func jobOf(t *testing.T, jobs []collectors.Job, id string) collectors.Job {
	t.Helper()
	for _, j := range jobs {
		if j.Collector.Describe().ID == id {
			return j
		}
	}
	t.Fatalf("no job for %s", id)
	return collectors.Job{}
}

// runFixture serves fx and runs collector id of a source aimed at it that
// neither retries nor waits for a retry (mods may change that), reporting
// on started when the server blocks.
func runFixture(t *testing.T, fx gcptest.Fixtures, id string, started chan struct{}, mods ...func(*Config)) (*gcptest.Sink, error) {
	t.Helper()
	srv := gcptest.NewServer(t, fx)
	zero := 0
	cfg := Config{Endpoint: srv.URL + "/", HTTPClient: srv.Client(), MaxRetryWaitSeconds: &zero, Retries: &zero}
	for _, mod := range mods {
		mod(&cfg)
	}
	jobs, err := NewSource(cfg).Plan(t.Context(), func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	return gcptest.Run(t, jobOf(t, jobs, id).Collector, jobs[0].Target, started)
}

func TestTokensCollector(t *testing.T) {
	t.Parallel()
	const (
		list   = "GET /admin/directory/v1/users?customer=my_customer"
		liz    = "GET /admin/directory/v1/users/101391513637001247111/tokens"
		ann    = "GET /admin/directory/v1/users/101391513637001247333/tokens"
		lizID  = "101391513637001247111#oauth"
		annID  = "101391513637001247333#oauth"
		drive  = "https://www.googleapis.com/auth/drive"
		cal    = "https://www.googleapis.com/auth/calendar.readonly"
		email  = "https://www.googleapis.com/auth/userinfo.email"
		slack  = "1234567890-abcdefg.apps.googleusercontent.com"
		diagrm = "9876543210-zyxwvu.apps.googleusercontent.com"
	)
	grants := func(id, name string, attrs map[string]any, gaps ...evidence.Gap) evidence.Resource {
		return evidence.Resource{Type: typeGrants, ID: id, Name: name, Account: "my_customer", Attributes: attrs, Gaps: gaps}
	}
	lizGrants := grants(lizID, "Liz@example.com", map[string]any{"grants": 2, "client_ids": []any{slack, diagrm},
		"apps": []any{"Diagram Maker", "Slack"}, "scopes": []any{cal, drive, email, "openid"}})
	none := map[string]any{"grants": 0, "client_ids": []any{}, "apps": []any{}, "scopes": []any{}}
	gapsOf := func(kind evidence.FailureKind, perm string) []evidence.Gap {
		var gs []evidence.Gap
		for _, a := range []string{"grants", "client_ids", "apps", "scopes"} {
			gs = append(gs, evidence.Gap{Attribute: a, Kind: kind, Operation: opListTokens, Permission: perm})
		}
		return gs
	}
	blockReply, started := gcptest.Blocking()
	tests := []struct {
		name     string
		fx       gcptest.Fixtures
		started  chan struct{}
		wantErr  evidence.FailureKind
		want     []evidence.Resource
		wantFail []evidence.FailureKind
		wantSkip []evidence.Skip
	}{
		{name: "happy: the suspended user is not asked", fx: gcptest.Fixtures{list: {Body: "users.json"}, liz: {Body: "tokens.json"}},
			want: []evidence.Resource{lizGrants}},
		{name: "two pages of users", fx: gcptest.Fixtures{
			list:                             {Body: "users_page1.json"},
			list + "&pageToken=NEXT-TOKEN-1": {Body: "users_page2.json"},
			liz:                              {Body: "tokens.json"},
			ann:                              {Body: "tokens_empty.json"},
		}, want: []evidence.Resource{lizGrants, grants(annID, "ann@example.com", none)}},
		{name: "empty: no users", fx: gcptest.Fixtures{list: {Body: "users_empty.json"}}},
		{name: "empty: no grants", fx: gcptest.Fixtures{list: {Body: "users.json"}, liz: {Body: "tokens_empty.json"}},
			want: []evidence.Resource{grants(lizID, "Liz@example.com", none)}},
		{name: "absent: user deleted before its tokens were read", fx: gcptest.Fixtures{list: {Body: "users.json"}, liz: gcptest.NotFoundReply},
			wantSkip: []evidence.Skip{{Resource: lizID, Reason: "user Liz@example.com was deleted during collection"}}},
		{name: "absent customer is an error", fx: gcptest.Fixtures{list: gcptest.NotFoundReply}, wantErr: evidence.Errored},
		{name: "denied users", fx: gcptest.Fixtures{list: gcptest.DeniedReply}, wantErr: evidence.Denied},
		{name: "denied tokens (scope not delegated)", fx: gcptest.Fixtures{list: {Body: "users.json"}, liz: gcptest.DeniedReply},
			want: []evidence.Resource{grants(lizID, "Liz@example.com", map[string]any{}, gapsOf(evidence.Denied, scopeUserSecurity)...)}, wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "throttled tokens", fx: gcptest.Fixtures{list: {Body: "users.json"}, liz: gcptest.ThrottledReply},
			want: []evidence.Resource{grants(lizID, "Liz@example.com", map[string]any{}, gapsOf(evidence.Throttled, "")...)}, wantFail: []evidence.FailureKind{evidence.Throttled}},
		{name: "throttled users", fx: gcptest.Fixtures{list: gcptest.ThrottledReply}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: gcptest.Fixtures{list: {Body: "users.json"}, liz: blockReply}, started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := runFixture(t, tt.fx, tokensID, tt.started)
			if tt.wantErr != "" {
				apitest.WantKind(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if diff := cmp.Diff(tt.want, s.ByType(typeGrants)); diff != "" {
				t.Errorf("grants (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantFail, s.Kinds()); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantSkip, s.Skipped); diff != "" {
				t.Errorf("skipped (-want +got):\n%s", diff)
			}
		})
	}
}

// TestScopesFollowEnabledCollectors checks that the delegation asks for the
// user security scope only when the OAuth grants collector is enabled.
func TestScopesFollowEnabledCollectors(t *testing.T) {
	t.Parallel()
	src := NewSource(Config{Subject: "admin@example.com"})
	if _, err := src.Plan(t.Context(), func(id string) bool { return id == "workspace.users" }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{scopeUsers}, src.scopes); diff != "" {
		t.Errorf("scopes (-want +got):\n%s", diff)
	}
	if _, err := src.Plan(t.Context(), func(string) bool { return true }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{scopeUsers, scopeUserSecurity, scopePolicies}, src.scopes); diff != "" {
		t.Errorf("scopes (-want +got):\n%s", diff)
	}
	if _, err := src.Plan(t.Context(), func(id string) bool { return id == driveSharingID }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{scopePolicies}, src.scopes); diff != "" {
		t.Errorf("scopes (-want +got):\n%s", diff)
	}
}
