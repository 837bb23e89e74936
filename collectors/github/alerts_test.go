package github

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

const (
	gqlDependabot  = "/graphql AttestDependabotAlerts"
	pathSecrets    = "/repos/octo-org/Hello-World/secret-scanning/alerts?state=open"
	pathOrgSecrets = "/orgs/octo-org/secret-scanning/alerts?state=open"
)

// orgSecretsAbsent is the organisation-wide listing answering 404, as
// GitHub does for a token whose user is neither an organisation owner nor
// a security manager: every repository is read on its own.
var orgSecretsAbsent = reply{Status: 404, Body: "errors/not_found.json"}

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
			pathOrgSecrets: orgSecretsAbsent,
			gqlDependabot:  {Body: "graphql/dependabot.json"},
			pathSecrets:    {Body: "secret-scanning/alerts.json"},
		}, want: alertsRes(map[string]any{"dependabot_alerts_enabled": true, "dependabot_open_critical_high": 2, "dependabot_overdue": 0,
			"secret_scanning_enabled": true, "secret_scanning_open": 1, "secret_scanning_overdue": 1})},
		{name: "two pages (cursor)", fx: fixtures{
			pathOrgSecrets: orgSecretsAbsent,
			gqlDependabot:  {Body: "graphql/dependabot_page1.json"},
			"/graphql AttestMoreDependabotAlerts cursor=Y3Vyc29yOnYyOpK0 name=Hello-World owner=octo-org": {Body: "graphql/dependabot_page2.json"},
			pathSecrets: {Body: "empty_list.json"},
		}, want: alertsRes(map[string]any{"dependabot_alerts_enabled": true, "dependabot_open_critical_high": 3, "dependabot_overdue": 1,
			"secret_scanning_enabled": true, "secret_scanning_open": 0, "secret_scanning_overdue": 0})},
		{name: "empty", fx: fixtures{
			pathOrgSecrets: orgSecretsAbsent,
			gqlDependabot:  {Body: "graphql/dependabot_empty.json"},
			pathSecrets:    {Body: "empty_list.json"},
		}, want: alertsRes(map[string]any{"dependabot_alerts_enabled": true, "dependabot_open_critical_high": 0, "dependabot_overdue": 0,
			"secret_scanning_enabled": true, "secret_scanning_open": 0, "secret_scanning_overdue": 0})},
		{name: "absent: features disabled", fx: fixtures{
			pathOrgSecrets: orgSecretsAbsent,
			gqlDependabot:  {Body: "graphql/dependabot_disabled.json"},
			pathSecrets:    {Status: 404, Body: "secret-scanning/disabled.json"},
		}, want: alertsRes(map[string]any{"dependabot_alerts_enabled": false, "dependabot_open_critical_high": 0, "dependabot_overdue": 0,
			"secret_scanning_enabled": false, "secret_scanning_open": 0, "secret_scanning_overdue": 0})},
		{name: "denied", fx: fixtures{
			pathOrgSecrets: orgSecretsAbsent,
			gqlDependabot:  {Body: "graphql/dependabot_denied.json"},
			pathSecrets:    {Body: "empty_list.json"},
		}, want: alertsRes(map[string]any{"secret_scanning_enabled": true, "secret_scanning_open": 0, "secret_scanning_overdue": 0},
			depGaps(evidence.Denied, perm)...), wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "rate limited listing", fx: fixtures{pathOrgSecrets: orgSecretsAbsent, gqlDependabot: secondaryLimited}, wantErr: evidence.Throttled},
		{name: "rate limited mid-run", fx: fixtures{pathOrgSecrets: orgSecretsAbsent, gqlDependabot: {Body: "graphql/dependabot.json"}, pathSecrets: secondaryLimited},
			want: alertsRes(map[string]any{"dependabot_alerts_enabled": true, "dependabot_open_critical_high": 2, "dependabot_overdue": 0},
				evidence.Gap{Attribute: "secret_scanning_enabled", Kind: evidence.Throttled, Operation: opSecretScanning},
				evidence.Gap{Attribute: "secret_scanning_open", Kind: evidence.Throttled, Operation: opSecretScanning},
				evidence.Gap{Attribute: "secret_scanning_overdue", Kind: evidence.Throttled, Operation: opSecretScanning},
			), wantFail: []evidence.FailureKind{evidence.Throttled}},
		{name: "cancelled", fx: fixtures{pathOrgSecrets: orgSecretsAbsent, gqlDependabot: {Body: "graphql/dependabot.json"}, pathSecrets: blockReply}, started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.fx)
			s, err := run(t, testSource(srv, at), "github.alerts", tt.started)
			if tt.wantErr != "" {
				apitest.WantKind(t, err, tt.wantErr)
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

// TestAlertsOrgSecretScanning covers the organisation-wide secret scanning
// listing: the same attributes as the per-repository reads, from a few
// calls for the whole organisation, and the fall back to the
// per-repository reads whenever the listing cannot answer.
func TestAlertsOrgSecretScanning(t *testing.T) {
	t.Parallel()
	// Secret scanning alerts of the fixtures: 2020-11-06 and 2021-03-01
	// are overdue on 2022-07-01 (SLA 30 days), 2022-06-20 is not.
	at := func(c *Config) { c.Now = func() time.Time { return time.Date(2022, 7, 1, 0, 0, 0, 0, time.UTC) } }
	blockReply, started := blocking()
	hang, _ := blocking()
	dep := map[string]any{"dependabot_alerts_enabled": true, "dependabot_open_critical_high": 2, "dependabot_overdue": 0}
	with := func(m map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range dep {
			out[k] = v
		}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	perRepo := with(map[string]any{"secret_scanning_enabled": true, "secret_scanning_open": 1, "secret_scanning_overdue": 1})
	tests := []struct {
		name    string
		fx      fixtures
		started chan struct{}
		wantErr evidence.FailureKind
		timeout time.Duration
		want    []evidence.Resource
		wantOps []string
	}{
		{name: "happy", fx: fixtures{
			pathOrgSecrets: {Body: "secret-scanning/org_alerts.json"},
			pathRepos:      {Body: "repos/list_org_security.json"},
			gqlDependabot:  {Body: "graphql/dependabot.json"},
		}, want: alertsRes(with(map[string]any{"secret_scanning_enabled": true, "secret_scanning_open": 2, "secret_scanning_overdue": 1})),
			wantOps: []string{opOrgSecretScanning, opListRepos, opGraphQL}},
		{name: "two pages", fx: fixtures{
			pathOrgSecrets: {Body: "secret-scanning/org_alerts.json", Header: next("/orgs/octo-org/secret-scanning/alerts")},
			"/orgs/octo-org/secret-scanning/alerts?page=2&state=open": {Body: "secret-scanning/org_alerts_page2.json"},
			pathRepos:     {Body: "repos/list_org_security.json"},
			gqlDependabot: {Body: "graphql/dependabot.json"},
		}, want: alertsRes(with(map[string]any{"secret_scanning_enabled": true, "secret_scanning_open": 3, "secret_scanning_overdue": 2})),
			wantOps: []string{opOrgSecretScanning, opOrgSecretScanning, opListRepos, opGraphQL}},
		{name: "empty", fx: fixtures{
			pathOrgSecrets: {Body: "empty_list.json"},
			pathRepos:      {Body: "repos/list_org_security.json"},
			gqlDependabot:  {Body: "graphql/dependabot.json"},
		}, want: alertsRes(with(map[string]any{"secret_scanning_enabled": true, "secret_scanning_open": 0, "secret_scanning_overdue": 0})),
			wantOps: []string{opOrgSecretScanning, opListRepos, opGraphQL}},
		{name: "repository without security_and_analysis: read on its own", fx: fixtures{
			pathOrgSecrets: {Body: "secret-scanning/org_alerts.json"},
			pathRepos:      {Body: "repos/list_org_security_not_admin.json"},
			gqlDependabot:  {Body: "graphql/dependabot.json"},
			pathSecrets:    {Body: "secret-scanning/alerts.json"},
		}, want: alertsRes(perRepo), wantOps: []string{opOrgSecretScanning, opListRepos, opGraphQL, opSecretScanning}},
		{name: "absent (404): per repository", fx: fixtures{
			pathOrgSecrets: orgSecretsAbsent,
			gqlDependabot:  {Body: "graphql/dependabot.json"},
			pathSecrets:    {Body: "secret-scanning/alerts.json"},
		}, want: alertsRes(perRepo), wantOps: []string{opOrgSecretScanning, opGraphQL, opSecretScanning}},
		{name: "denied (403): per repository", fx: fixtures{
			pathOrgSecrets: forbidden,
			gqlDependabot:  {Body: "graphql/dependabot.json"},
			pathSecrets:    {Body: "secret-scanning/alerts.json"},
		}, want: alertsRes(perRepo), wantOps: []string{opOrgSecretScanning, opGraphQL, opSecretScanning}},
		{name: "repository list denied: per repository", fx: fixtures{
			pathOrgSecrets: {Body: "secret-scanning/org_alerts.json"},
			pathRepos:      forbidden,
			gqlDependabot:  {Body: "graphql/dependabot.json"},
			pathSecrets:    {Body: "secret-scanning/alerts.json"},
		}, want: alertsRes(perRepo), wantOps: []string{opOrgSecretScanning, opListRepos, opGraphQL, opSecretScanning}},
		// A secondary limit holds for the token: the source stops every
		// further call until it lifts (beyond the configured wait here), so
		// the run ends throttled rather than reading each repository.
		{name: "throttled", fx: fixtures{pathOrgSecrets: secondaryLimited}, wantErr: evidence.Throttled},
		{name: "hanging: per repository after the call deadline", fx: fixtures{
			pathOrgSecrets: hang,
			gqlDependabot:  {Body: "graphql/dependabot.json"},
			pathSecrets:    {Body: "secret-scanning/alerts.json"},
		}, timeout: 200 * time.Millisecond, want: alertsRes(perRepo), wantOps: []string{opGraphQL, opSecretScanning}},
		{name: "cancelled", fx: fixtures{pathOrgSecrets: blockReply}, started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var paths []string
			srv := apitest.NewServer(t, tt.fx, apitest.Options{Ignore: []string{"per_page"}, FirstPage: "page", ContentType: "application/json; charset=utf-8",
				ReadPosts: []string{"/graphql"}, PostKey: gqlKey, Check: func(_ *testing.T, r *http.Request) {
					mu.Lock()
					defer mu.Unlock()
					op, _ := operation(r)
					paths = append(paths, op)
				}})
			mod := at
			if tt.timeout > 0 {
				mod = func(c *Config) {
					at(c)
					hc := *srv.Client()
					hc.Timeout = tt.timeout
					c.HTTPClient = &hc
				}
			}
			s, err := run(t, testSource(srv, mod), "github.alerts", tt.started)
			if tt.wantErr != "" {
				if kindOf(err) != tt.wantErr || (tt.wantErr == evidence.Cancelled && !errors.Is(err, context.Canceled)) || len(s.Resources) != 0 {
					t.Fatalf("err = %v (%s), %d resources; want %s, none", err, kindOf(err), len(s.Resources), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if diff := cmp.Diff(tt.want, s.ByType("github.repository.alerts")); diff != "" {
				t.Errorf("alerts (-want +got):\n%s", diff)
			}
			if len(s.Kinds()) != 0 {
				t.Errorf("failures %v, want none", s.Kinds())
			}
			mu.Lock()
			defer mu.Unlock()
			if tt.timeout > 0 {
				paths = slices.DeleteFunc(paths, func(op string) bool { return op == opOrgSecretScanning })
			}
			if diff := cmp.Diff(tt.wantOps, paths); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}
