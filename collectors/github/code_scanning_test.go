package github

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

const (
	pathAnalyses  = "/repos/octo-org/Hello-World/code-scanning/analyses?ref=refs%2Fheads%2Fmaster"
	pathWorkflows = "/repos/octo-org/Hello-World/actions/workflows"
	pathRuns      = "/repos/octo-org/Hello-World/actions/workflows/269289/runs?branch=master&created=%3E%3D2011-01-25&status=completed"
)

func sastRes(attrs map[string]any, gaps ...evidence.Gap) []evidence.Resource {
	return []evidence.Resource{{Type: "github.repository.sast", ID: "https://github.com/octo-org/Hello-World#sast", Name: "octo-org/Hello-World",
		Account: "octo-org", Attributes: attrs, Gaps: gaps}}
}

func TestSASTCollector(t *testing.T) {
	t.Parallel()
	notEnabled := reply{Status: 403, Body: "code-scanning/not_enabled.json"}
	viaWorkflow := map[string]any{"code_scanning_enabled": false, "last_analysis_at": "", "last_analysis_tool": "",
		"sast_workflows": []any{"Semgrep"}, "last_sast_run_at": "2020-01-22T19:33:08Z", "last_sast_run_conclusion": "success",
		"last_sast_at": "2020-01-22T19:33:08Z", "sast_source": "workflow"}
	blockReply, started := blocking()
	var deniedGaps []evidence.Gap
	for _, a := range []string{"code_scanning_enabled", "last_analysis_at", "last_analysis_tool", "last_sast_at", "sast_source"} {
		deniedGaps = append(deniedGaps, evidence.Gap{Attribute: a, Kind: evidence.Denied, Operation: opAnalyses, Permission: "security_events=read"})
	}

	tests := []struct {
		name     string
		fx       fixtures
		started  chan struct{}
		wantErr  evidence.FailureKind
		want     []evidence.Resource
		wantFail []evidence.FailureKind
	}{
		{name: "happy: code scanning analysis", fx: fixtures{
			pathRepos:    {Body: "repos/list_org.json"},
			pathAnalyses: {Body: "code-scanning/analyses.json"},
		}, want: sastRes(map[string]any{"code_scanning_enabled": true, "last_analysis_at": "2020-08-27T15:05:21Z", "last_analysis_tool": "CodeQL",
			"sast_workflows": []any{}, "last_sast_run_at": "", "last_sast_run_conclusion": "", "last_sast_at": "2020-08-27T15:05:21Z", "sast_source": "code_scanning"})},
		{name: "absent code scanning: SAST workflow run", fx: fixtures{
			pathRepos:     {Body: "repos/list_org.json"},
			pathAnalyses:  notEnabled,
			pathWorkflows: {Body: "actions/workflows.json"},
			pathRuns:      {Body: "actions/runs.json"},
		}, want: sastRes(viaWorkflow)},
		{name: "two pages of workflows", fx: fixtures{
			pathRepos:    {Body: "repos/list_org.json"},
			pathAnalyses: {Status: 404, Body: "code-scanning/no_analysis.json"},
			pathWorkflows: {Body: `{"total_count":2,"workflows":[{"id":161335,"name":"CI","path":".github/workflows/blank.yaml","state":"active"}]}`,
				Header: next("/repos/octo-org/Hello-World/actions/workflows")},
			pathWorkflows + "?page=2": {Body: `{"total_count":2,"workflows":[{"id":269289,"name":"Semgrep","path":".github/workflows/semgrep.yaml","state":"active"}]}`},
			pathRuns:                  {Body: "actions/runs.json"},
		}, want: sastRes(viaWorkflow)},
		{name: "empty: no analysis, no workflows", fx: fixtures{
			pathRepos:     {Body: "repos/list_org.json"},
			pathAnalyses:  notEnabled,
			pathWorkflows: {Body: `{"total_count":0,"workflows":[]}`},
		}, want: sastRes(map[string]any{"code_scanning_enabled": false, "last_analysis_at": "", "last_analysis_tool": "",
			"sast_workflows": []any{}, "last_sast_run_at": "", "last_sast_run_conclusion": "", "last_sast_at": "", "sast_source": "none"})},
		{name: "failed SAST run does not count", fx: fixtures{
			pathRepos:     {Body: "repos/list_org.json"},
			pathAnalyses:  notEnabled,
			pathWorkflows: {Body: "actions/workflows.json"},
			pathRuns:      {Body: `{"total_count":1,"workflow_runs":[{"id":1,"status":"completed","conclusion":"failure","created_at":"2011-01-30T10:00:00Z"}]}`},
		}, want: sastRes(map[string]any{"code_scanning_enabled": false, "last_analysis_at": "", "last_analysis_tool": "",
			"sast_workflows": []any{"Semgrep"}, "last_sast_run_at": "2011-01-30T10:00:00Z", "last_sast_run_conclusion": "failure", "last_sast_at": "", "sast_source": "none"})},
		{name: "denied code scanning", fx: fixtures{
			pathRepos:     {Body: "repos/list_org.json"},
			pathAnalyses:  {Status: 403, Body: "errors/forbidden.json", Header: map[string]string{"X-Accepted-GitHub-Permissions": "security_events=read"}},
			pathWorkflows: {Body: `{"total_count":0,"workflows":[]}`},
		}, want: sastRes(map[string]any{"sast_workflows": []any{}, "last_sast_run_at": "", "last_sast_run_conclusion": ""}, deniedGaps...),
			wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "rate limited", fx: fixtures{pathRepos: rateLimited}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: fixtures{pathRepos: {Body: "repos/list_org.json"}, pathAnalyses: blockReply}, started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.fx)
			s, err := run(t, testSource(srv, nil), "github.sast", tt.started)
			if tt.wantErr != "" {
				apitest.WantKind(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if diff := cmp.Diff(tt.want, s.ByType("github.repository.sast")); diff != "" {
				t.Errorf("sast (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantFail, s.Kinds()); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}
