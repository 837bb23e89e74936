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
	gqlDependabot = "/graphql AttestDependabotAlerts"
	pathSecrets   = "/repos/octo-org/Hello-World/secret-scanning/alerts?state=open"
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
	const perm = "security_events or repository:dependabot_alerts:read"
	depGaps := func(kind evidence.FailureKind, perm string) []evidence.Gap {
		var gs []evidence.Gap
		for _, a := range []string{"dependabot_alerts_enabled", "dependabot_open_critical_high", "dependabot_overdue"} {
			gs = append(gs, evidence.Gap{Attribute: a, Kind: kind, Operation: opGraphQL, Permission: perm})
		}
		return gs
	}
	tests := []struct {
		name     string
		fx       fixtures
		started  chan struct{}
		wantErr  evidence.FailureKind
		want     []evidence.Resource
		wantFail []evidence.FailureKind
	}{
		{name: "happy", fx: fixtures{
			gqlDependabot: {Body: "graphql/dependabot.json"},
			pathSecrets:   {Body: "secret-scanning/alerts.json"},
		}, want: alertsRes(map[string]any{"dependabot_alerts_enabled": true, "dependabot_open_critical_high": 2, "dependabot_overdue": 0,
			"secret_scanning_enabled": true, "secret_scanning_open": 1, "secret_scanning_overdue": 1})},
		{name: "two pages (cursor)", fx: fixtures{
			gqlDependabot: {Body: "graphql/dependabot_page1.json"},
			"/graphql AttestMoreDependabotAlerts cursor=Y3Vyc29yOnYyOpK0 name=Hello-World owner=octo-org": {Body: "graphql/dependabot_page2.json"},
			pathSecrets: {Body: "empty_list.json"},
		}, want: alertsRes(map[string]any{"dependabot_alerts_enabled": true, "dependabot_open_critical_high": 3, "dependabot_overdue": 1,
			"secret_scanning_enabled": true, "secret_scanning_open": 0, "secret_scanning_overdue": 0})},
		{name: "empty", fx: fixtures{
			gqlDependabot: {Body: "graphql/dependabot_empty.json"},
			pathSecrets:   {Body: "empty_list.json"},
		}, want: alertsRes(map[string]any{"dependabot_alerts_enabled": true, "dependabot_open_critical_high": 0, "dependabot_overdue": 0,
			"secret_scanning_enabled": true, "secret_scanning_open": 0, "secret_scanning_overdue": 0})},
		{name: "absent: features disabled", fx: fixtures{
			gqlDependabot: {Body: "graphql/dependabot_disabled.json"},
			pathSecrets:   {Status: 404, Body: "secret-scanning/disabled.json"},
		}, want: alertsRes(map[string]any{"dependabot_alerts_enabled": false, "dependabot_open_critical_high": 0, "dependabot_overdue": 0,
			"secret_scanning_enabled": false, "secret_scanning_open": 0, "secret_scanning_overdue": 0})},
		{name: "denied", fx: fixtures{
			gqlDependabot: {Body: "graphql/dependabot_denied.json"},
			pathSecrets:   {Body: "empty_list.json"},
		}, want: alertsRes(map[string]any{"secret_scanning_enabled": true, "secret_scanning_open": 0, "secret_scanning_overdue": 0},
			depGaps(evidence.Denied, perm)...), wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "rate limited listing", fx: fixtures{gqlDependabot: secondaryLimited}, wantErr: evidence.Throttled},
		{name: "rate limited mid-run", fx: fixtures{gqlDependabot: {Body: "graphql/dependabot.json"}, pathSecrets: secondaryLimited},
			want: alertsRes(map[string]any{"dependabot_alerts_enabled": true, "dependabot_open_critical_high": 2, "dependabot_overdue": 0},
				evidence.Gap{Attribute: "secret_scanning_enabled", Kind: evidence.Throttled, Operation: opSecretScanning},
				evidence.Gap{Attribute: "secret_scanning_open", Kind: evidence.Throttled, Operation: opSecretScanning},
				evidence.Gap{Attribute: "secret_scanning_overdue", Kind: evidence.Throttled, Operation: opSecretScanning},
			), wantFail: []evidence.FailureKind{evidence.Throttled}},
		{name: "cancelled", fx: fixtures{gqlDependabot: {Body: "graphql/dependabot.json"}, pathSecrets: blockReply}, started: started, wantErr: evidence.Cancelled},
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
