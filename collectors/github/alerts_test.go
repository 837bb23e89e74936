package github

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
)

const (
	pathDependabot = "/repos/octo-org/Hello-World/dependabot/alerts?severity=critical%2Chigh&state=open"
	pathSecrets    = "/repos/octo-org/Hello-World/secret-scanning/alerts?state=open"
)

func alertsRes(attrs map[string]any, gaps ...evidence.Gap) []evidence.Resource {
	attrs["alert_sla_days"] = 30
	return []evidence.Resource{{Type: "github.repository.alerts", ID: "https://github.com/octo-org/Hello-World#alerts", Name: "octo-org/Hello-World",
		Account: "octo-org", Attributes: attrs, Gaps: gaps}}
}

func TestAlertsCollector(t *testing.T) {
	t.Parallel()
	// The fixture alerts were opened in June 2022 (Dependabot) and
	// November 2020 (secret scanning).
	at := func(c *Config) { c.Now = func() time.Time { return time.Date(2022, 7, 1, 0, 0, 0, 0, time.UTC) } }
	blockReply, started := blocking()
	tests := []struct {
		name     string
		fx       fixtures
		started  chan struct{}
		wantErr  evidence.FailureKind
		want     []evidence.Resource
		wantFail []evidence.FailureKind
	}{
		{name: "happy", fx: fixtures{
			pathRepos:      {Body: "repos/list_org.json"},
			pathDependabot: {Body: "dependabot/alerts.json"},
			pathSecrets:    {Body: "secret-scanning/alerts.json"},
		}, want: alertsRes(map[string]any{"dependabot_alerts_enabled": true, "dependabot_open_critical_high": 2, "dependabot_overdue": 0,
			"secret_scanning_enabled": true, "secret_scanning_open": 1, "secret_scanning_overdue": 1})},
		{name: "two pages (cursor)", fx: fixtures{
			pathRepos: {Body: "repos/list_org.json"},
			pathDependabot: {Body: "dependabot/alerts.json", Header: map[string]string{
				"Link": `<{server}/repos/octo-org/Hello-World/dependabot/alerts?per_page=100&after=Y3Vyc29yOnYyOpK0>; rel="next"`}},
			"/repos/octo-org/Hello-World/dependabot/alerts?after=Y3Vyc29yOnYyOpK0&severity=critical%2Chigh&state=open": {
				Body: `[{"number":9,"state":"open","security_advisory":{"severity":"critical"},"created_at":"2022-01-01T00:00:00Z"}]`},
			pathSecrets: {Body: "empty_list.json"},
		}, want: alertsRes(map[string]any{"dependabot_alerts_enabled": true, "dependabot_open_critical_high": 3, "dependabot_overdue": 1,
			"secret_scanning_enabled": true, "secret_scanning_open": 0, "secret_scanning_overdue": 0})},
		{name: "empty", fx: fixtures{
			pathRepos:      {Body: "repos/list_org.json"},
			pathDependabot: {Body: "empty_list.json"},
			pathSecrets:    {Body: "empty_list.json"},
		}, want: alertsRes(map[string]any{"dependabot_alerts_enabled": true, "dependabot_open_critical_high": 0, "dependabot_overdue": 0,
			"secret_scanning_enabled": true, "secret_scanning_open": 0, "secret_scanning_overdue": 0})},
		{name: "absent: features disabled", fx: fixtures{
			pathRepos:      {Body: "repos/list_org.json"},
			pathDependabot: {Status: 403, Body: "dependabot/disabled.json"},
			pathSecrets:    {Status: 404, Body: "secret-scanning/disabled.json"},
		}, want: alertsRes(map[string]any{"dependabot_alerts_enabled": false, "dependabot_open_critical_high": 0, "dependabot_overdue": 0,
			"secret_scanning_enabled": false, "secret_scanning_open": 0, "secret_scanning_overdue": 0})},
		{name: "denied", fx: fixtures{
			pathRepos: {Body: "repos/list_org.json"},
			pathDependabot: {Status: 403, Body: "errors/forbidden.json", Header: map[string]string{
				"X-OAuth-Scopes": "repo, read:org", "X-Accepted-OAuth-Scopes": "security_events, repo"}},
			pathSecrets: {Body: "empty_list.json"},
		}, want: alertsRes(map[string]any{"secret_scanning_enabled": true, "secret_scanning_open": 0, "secret_scanning_overdue": 0},
			evidence.Gap{Attribute: "dependabot_alerts_enabled", Kind: evidence.Denied, Operation: opDependabot, Permission: "security_events"},
			evidence.Gap{Attribute: "dependabot_open_critical_high", Kind: evidence.Denied, Operation: opDependabot, Permission: "security_events"},
			evidence.Gap{Attribute: "dependabot_overdue", Kind: evidence.Denied, Operation: opDependabot, Permission: "security_events"},
		), wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "rate limited", fx: fixtures{pathRepos: {Body: "repos/list_org.json"}, pathDependabot: secondaryLimited},
			want: alertsRes(map[string]any{},
				evidence.Gap{Attribute: "dependabot_alerts_enabled", Kind: evidence.Throttled, Operation: opDependabot},
				evidence.Gap{Attribute: "dependabot_open_critical_high", Kind: evidence.Throttled, Operation: opDependabot},
				evidence.Gap{Attribute: "dependabot_overdue", Kind: evidence.Throttled, Operation: opDependabot},
				evidence.Gap{Attribute: "secret_scanning_enabled", Kind: evidence.Throttled, Operation: opSecretScanning},
				evidence.Gap{Attribute: "secret_scanning_open", Kind: evidence.Throttled, Operation: opSecretScanning},
				evidence.Gap{Attribute: "secret_scanning_overdue", Kind: evidence.Throttled, Operation: opSecretScanning},
			), wantFail: []evidence.FailureKind{evidence.Throttled}},
		{name: "cancelled", fx: fixtures{pathRepos: {Body: "repos/list_org.json"}, pathDependabot: blockReply}, started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.fx)
			s, err := run(t, testSource(srv, at), "github.alerts", tt.started)
			if tt.wantErr != "" {
				if err == nil || kindOf(err) != tt.wantErr {
					t.Fatalf("err = %v (%s), want kind %s", err, kindOf(err), tt.wantErr)
				}
				if tt.wantErr == evidence.Cancelled && !errors.Is(err, context.Canceled) {
					t.Fatalf("err = %v, want context.Canceled in chain", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if diff := cmp.Diff(tt.want, s.ByType("github.repository.alerts")); diff != "" {
				t.Errorf("alerts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantFail, s.Kinds()); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}
