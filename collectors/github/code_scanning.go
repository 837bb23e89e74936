package github

import (
	"context"
	"fmt"
	"strings"
	"time"

	gh "github.com/google/go-github/v92/github"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// SASTCollector finds the latest static analysis of each repository's
// default branch: the newest code scanning analysis or, where code scanning
// is not enabled or has no analysis, the newest completed run of a workflow
// whose name or path matches a configured SAST tool.
//
// GitHub API docs:
//   - https://docs.github.com/rest/code-scanning/code-scanning#list-code-scanning-analyses-for-a-repository (GET /repos/{owner}/{repo}/code-scanning/analyses)
//   - https://docs.github.com/rest/actions/workflows#list-repository-workflows (GET /repos/{owner}/{repo}/actions/workflows)
//   - https://docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow (GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs)
type SASTCollector struct{ src *Source }

const (
	opAnalyses  = "GET /repos/{owner}/{repo}/code-scanning/analyses"
	opWorkflows = "GET /repos/{owner}/{repo}/actions/workflows"
	opRuns      = "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs"
	typeSAST    = "github.repository.sast"
)

// Describe returns the collector's metadata.
func (c *SASTCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "github.sast", Version: 2, Source: SourceName,
		Title: "GitHub code scanning analyses and SAST workflow runs",
		ResourceTypes: []collectors.ResourceType{{Name: typeSAST, Doc: "Static analysis of a repository's default branch.", Attributes: []collectors.Attribute{
			{Name: "code_scanning_enabled", Type: "bool", Doc: "Code scanning is enabled and has analyses for the repository."},
			{Name: "last_analysis_at", Type: "timestamp", Doc: "Newest code scanning analysis of the default branch, or empty."},
			{Name: "last_analysis_tool", Type: "string", Doc: "Tool of the newest code scanning analysis, or empty."},
			{Name: "sast_workflows", Type: "list", Doc: "Workflows matching a configured SAST tool (searched only without code scanning analyses)."},
			{Name: "last_sast_run_at", Type: "timestamp", Doc: "Newest completed run of a SAST workflow on the default branch within sast_max_age_days, or empty."},
			{Name: "last_sast_run_conclusion", Type: "string", Doc: "Conclusion of that run (success, failure, ...), or empty."},
			{Name: "last_sast_at", Type: "timestamp", Doc: "Newest successful static analysis from either source, or empty."},
			{Name: "sast_source", Type: "string", Doc: "Where last_sast_at comes from: code_scanning, workflow or none."},
		}}},
		Permissions:      []string{scopeSecurityEvents, scopeRepo, permCodeScanning, permActions},
		CallsPerResource: 1,
	}
}

// Collect reads every selected repository of the organisation.
func (c *SASTCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	return c.src.eachRepo(ctx, target.Account, out, c.repo)
}

func indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func (c *SASTCollector) repo(ctx context.Context, client *gh.Client, r listedRepo) repoResult {
	ctx, trace := collectors.WithTrace(ctx)
	owner, name, branch := r.owner, r.name, r.defaultBranch
	res := &evidence.Resource{Type: typeSAST, ID: repoID(r) + "#sast", Name: r.fullName, Account: owner, Attributes: map[string]any{}}
	result := repoResult{res: res}
	defer func() { res.Records = trace.Records() }()
	fail := func(err error, attrs ...string) bool {
		if canceled(err) {
			result.err = err
			result.res = nil
			return true
		}
		for _, a := range attrs {
			res.Gaps = append(res.Gaps, collectors.GapOf(err, a))
		}
		result.fails = append(result.fails, collectors.FailureOf(err, res.ID))
		return false
	}

	var analysisAt string
	as, _, err := client.CodeScanning.ListAnalysesForRepo(ctx, owner, name, &gh.AnalysesListOptions{Ref: new("refs/heads/" + branch), ListOptions: gh.ListOptions{PerPage: 1}})
	switch {
	case err == nil:
		res.Attributes["code_scanning_enabled"] = true
		res.Attributes["last_analysis_at"], res.Attributes["last_analysis_tool"] = "", ""
		if len(as) > 0 {
			analysisAt = ts(as[0].GetCreatedAt())
			res.Attributes["last_analysis_at"] = analysisAt
			res.Attributes["last_analysis_tool"] = as[0].GetTool().GetName()
		}
	case featureDisabled(err):
		// Not enabled, or enabled without any analysis: evidence.
		res.Attributes["code_scanning_enabled"] = false
		res.Attributes["last_analysis_at"], res.Attributes["last_analysis_tool"] = "", ""
	default:
		if fail(classify(err, opAnalyses, "scope:security_events or "+permCodeScanning), "code_scanning_enabled", "last_analysis_at", "last_analysis_tool", "last_sast_at", "sast_source") {
			return result
		}
	}
	if analysisAt != "" {
		res.Attributes["sast_workflows"] = []any{}
		res.Attributes["last_sast_run_at"], res.Attributes["last_sast_run_conclusion"] = "", ""
		res.Attributes["last_sast_at"], res.Attributes["sast_source"] = analysisAt, "code_scanning"
		return result
	}

	runAt, conclusion, workflows, err := c.latestRun(ctx, client, owner, name, branch)
	if err != nil {
		attrs := []string{"sast_workflows", "last_sast_run_at", "last_sast_run_conclusion"}
		if _, ok := res.Attributes["code_scanning_enabled"]; ok {
			attrs = append(attrs, "last_sast_at", "sast_source")
		}
		fail(err, attrs...)
		return result
	}
	res.Attributes["sast_workflows"] = workflows
	res.Attributes["last_sast_run_at"], res.Attributes["last_sast_run_conclusion"] = runAt, conclusion
	if _, ok := res.Attributes["code_scanning_enabled"]; !ok {
		// Code scanning could not be read: a workflow run still proves SAST,
		// its absence proves nothing.
		if runAt != "" && conclusion == "success" {
			res.Attributes["last_sast_at"], res.Attributes["sast_source"] = runAt, "workflow"
			res.Gaps = dropGaps(res.Gaps, "last_sast_at", "sast_source")
		}
		return result
	}
	if runAt != "" && conclusion == "success" {
		res.Attributes["last_sast_at"], res.Attributes["sast_source"] = runAt, "workflow"
	} else {
		res.Attributes["last_sast_at"], res.Attributes["sast_source"] = "", "none"
	}
	return result
}

func dropGaps(gs []evidence.Gap, attrs ...string) []evidence.Gap {
	var out []evidence.Gap
	for _, g := range gs {
		keep := true
		for _, a := range attrs {
			if g.Attribute == a {
				keep = false
			}
		}
		if keep {
			out = append(out, g)
		}
	}
	return out
}

// latestRun returns the newest completed run on branch, within the search
// window, of any workflow matching a SAST tool, and the matching workflows.
func (c *SASTCollector) latestRun(ctx context.Context, client *gh.Client, owner, repo, branch string) (at, conclusion string, workflows []any, err error) {
	var matched []*gh.Workflow
	for w, err := range client.Actions.ListWorkflowsIter(ctx, owner, repo, &gh.ListOptions{PerPage: 100}) {
		if err != nil {
			// A repository without workflows answers an empty list; a
			// 404 leaves the workflows unknown, never "none".
			return "", "", nil, classify(err, opWorkflows, scopeRepo+" or "+permActions)
		}
		if c.isSAST(w) {
			matched = append(matched, w)
		}
	}
	workflows = []any{}
	since := c.src.cfg.Now().UTC().AddDate(0, 0, -c.src.cfg.SASTMaxAgeDays).Format(time.DateOnly)
	for _, w := range matched {
		workflows = append(workflows, w.GetName())
		runs, _, err := client.Actions.ListWorkflowRunsByID(ctx, owner, repo, w.GetID(), &gh.ListWorkflowRunsOptions{
			Branch: branch, Status: "completed", Created: ">=" + since, ListOptions: gh.ListOptions{PerPage: 1},
		})
		if err != nil {
			return "", "", nil, fmt.Errorf("workflow %d: %w", w.GetID(), classify(err, opRuns, scopeRepo+" or "+permActions))
		}
		for _, run := range runs.WorkflowRuns {
			if t := ts(run.GetCreatedAt()); t > at {
				at, conclusion = t, run.GetConclusion()
			}
		}
	}
	return at, conclusion, workflows, nil
}

func (c *SASTCollector) isSAST(w *gh.Workflow) bool {
	name, path := strings.ToLower(w.GetName()), strings.ToLower(w.GetPath())
	for _, t := range c.src.cfg.SASTTools {
		t = strings.ToLower(t)
		if t != "" && (strings.Contains(name, t) || strings.Contains(path, t)) {
			return true
		}
	}
	return false
}
