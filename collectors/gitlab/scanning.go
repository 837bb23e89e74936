package gitlab

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// ScanningCollector reads the latest pipeline of each project's default
// branch and its jobs, and records which security scanners ran in it:
// SAST, secret detection and dependency scanning, recognised by the
// security report artifacts a job uploaded (file_type sast,
// secret_detection, dependency_scanning), or else by the job names of
// GitLab's templates (semgrep-sast, secret_detection, gemnasium-dependency_scanning, ...).
//
// One GraphQL query (POST /api/graphql) asks about scanBatch projects at
// once: the default branch's head commit and its newest pipeline with the
// jobs. REST answers what that query cannot answer exactly: when the
// newest pipeline is not for the head commit (GET /pipelines/latest answers
// the head commit's), and the jobs of a pipeline with more than 100.
//
// GitLab API docs:
//   - https://docs.gitlab.com/api/graphql/reference/#projectpipelines (Project.pipelines(ref:, first:))
//   - https://docs.gitlab.com/api/graphql/reference/#pipelinejobs (Pipeline.jobs(retried: false))
//   - https://docs.gitlab.com/api/graphql/reference/#repositorytree (Repository.tree(ref:).lastCommit)
//   - https://docs.gitlab.com/api/pipelines/#get-the-latest-pipeline (GET /projects/:id/pipelines/latest?ref=)
//   - https://docs.gitlab.com/api/jobs/#list-pipeline-jobs (GET /projects/:id/pipelines/:pipeline_id/jobs)
//
// The same query asks which CODEOWNERS files GitLab reads (CODEOWNERS,
// docs/CODEOWNERS, .gitlab/CODEOWNERS) exist on the default branch
// (Repository.blobs(ref:, paths:), https://docs.gitlab.com/api/graphql/reference/#repositoryblobs):
// GitLab's "Require approval from code owners" has no effect without one.
// A project whose blobs GitLab did not answer has gaps for them, never
// "no CODEOWNERS file".
//
// A project without any pipeline on its default branch (GraphQL answers no
// pipeline, REST 404) is evidence: no scanner ran. A failed query, a
// GraphQL error naming the project, or a null project is a gap, never "no
// pipeline".
type ScanningCollector struct{ src *Source }

const (
	opLatestPipeline = "GET /projects/{id}/pipelines/latest"
	opPipelineJobs   = "GET /projects/{id}/pipelines/{pipeline_id}/jobs"
	typeScanning     = "gitlab.project.scanning"
)

// scanners are the scanner kinds recorded, with the report artifact type
// and the job name fragments that identify them.
var scanners = []struct {
	kind  string
	names []string
}{
	{"sast", []string{"sast", "semgrep", "codeql"}},
	{"secret_detection", []string{"secret_detection", "secret-detection", "gitleaks"}},
	{"dependency_scanning", []string{"dependency_scanning", "dependency-scanning", "gemnasium"}},
}

var scanningAttrs = []string{
	"last_pipeline_at", "last_pipeline_status", "sast_jobs", "secret_detection_jobs", "dependency_scanning_jobs",
	"last_sast_at", "last_secret_detection_at", "last_dependency_scanning_at",
}

// codeownersAttrs are the attributes read from the CODEOWNERS blobs.
var codeownersAttrs = []string{"codeowners_file", "codeowners_path"}

// Describe returns the collector's metadata.
func (c *ScanningCollector) Describe() collectors.Descriptor {
	attrs := []collectors.Attribute{
		{Name: "default_branch", Type: "string", Doc: "Name of the default branch."},
		{Name: "last_pipeline_at", Type: "timestamp", Doc: "When the latest default-branch pipeline was created, or empty when there is none."},
		{Name: "last_pipeline_status", Type: "string", Doc: "Status of that pipeline (success, failed, running, ...), or empty."},
	}
	for _, s := range scanners {
		attrs = append(attrs,
			collectors.Attribute{Name: s.kind + "_jobs", Type: "list", Doc: "Jobs of the latest default-branch pipeline recognised as " + strings.ReplaceAll(s.kind, "_", " ") + " (report artifact " + s.kind + " or job name), sorted."},
			collectors.Attribute{Name: "last_" + s.kind + "_at", Type: "timestamp", Doc: "When the newest successful such job finished, or empty."})
	}
	attrs = append(attrs,
		collectors.Attribute{Name: "codeowners_file", Type: "bool", Doc: "Whether the default branch has a CODEOWNERS file where GitLab looks for it (the root, docs/ or .gitlab/); its content is not read."},
		collectors.Attribute{Name: "codeowners_path", Type: "string", Doc: "The CODEOWNERS file GitLab uses (the first of CODEOWNERS, docs/CODEOWNERS, .gitlab/CODEOWNERS that exists), or empty."})
	return collectors.Descriptor{
		ID: "gitlab.scanning", Version: 1, Source: SourceName,
		Title:         "GitLab security scanning jobs (SAST, secret detection, dependency scanning) on the default branch",
		ResourceTypes: []collectors.ResourceType{{Name: typeScanning, Doc: "The security scanners of a project's latest default-branch pipeline. ID is the project URL with #scanning.", Attributes: attrs}},
		Permissions:   []string{scopeReadAPI, roleReporter},
	}
}

// pipeline is the part of a pipeline attest reads.
type pipeline struct {
	ID        int64      `json:"id"`
	Status    string     `json:"status"`
	CreatedAt *time.Time `json:"created_at"`
}

// job is the part of a pipeline job attest reads.
type job struct {
	Name       string     `json:"name"`
	Status     string     `json:"status"`
	FinishedAt *time.Time `json:"finished_at"`
	Artifacts  []struct {
		FileType string `json:"file_type"`
	} `json:"artifacts"`
}

// is reports whether the job is a scanner of kind k.
func (j job) is(k string, names []string) bool {
	if slices.ContainsFunc(j.Artifacts, func(a struct {
		FileType string `json:"file_type"`
	}) bool {
		return a.FileType == k
	}) {
		return true
	}
	n := strings.ToLower(j.Name)
	return slices.ContainsFunc(names, func(s string) bool { return strings.Contains(n, s) })
}

type refOpts struct {
	Ref string `url:"ref,omitempty"`
}

type jobListOpts struct {
	PerPage int `url:"per_page,omitempty"`
}

// Collect reads the projects of the top-level group and asks GraphQL
// about scanBatch of them per query.
func (c *ScanningCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := c.src.gl()
	if err != nil {
		return err
	}
	projects, err := c.src.listProjects(ctx, client, target.Account, out)
	if err != nil {
		return err
	}
	results := make([]projectResult, len(projects))
	batches := (len(projects) + scanBatch - 1) / scanBatch
	err = collectors.ForEach(ctx, c.src.cfg.Concurrency, batches, func(ctx context.Context, b int) {
		lo, hi := b*scanBatch, min((b+1)*scanBatch, len(projects))
		c.batch(ctx, client, projects[lo:hi], results[lo:hi])
	})
	return emitResults(out, results, err)
}

// batch reads the scanning facts of ps with one GraphQL query (halving ps
// when GitLab refuses the query's complexity) and stores one result per
// project in out. The query's records go with the first project.
func (c *ScanningCollector) batch(ctx context.Context, client *gl.Client, ps []project, out []projectResult) {
	tctx, trace := collectors.WithTrace(ctx)
	ans, err := askScanning(tctx, client, ps)
	if errors.Is(err, errComplexity) && len(ps) > 1 {
		h := len(ps) / 2
		c.batch(ctx, client, ps[:h], out[:h])
		c.batch(ctx, client, ps[h:], out[h:])
		return
	}
	records := trace.Records()
	for i, p := range ps {
		pctx, ptrace := collectors.WithTrace(ctx)
		res := &evidence.Resource{
			Type: typeScanning, ID: p.WebURL + "#scanning", Name: p.PathWithNamespace,
			Attributes: map[string]any{"default_branch": p.DefaultBranch},
		}
		r := &projectRun{res: res}
		switch {
		case err != nil:
			r.failed(classify(err, opGraphQL, roleReporter), append(slices.Clone(scanningAttrs), codeownersAttrs...))
		case ans.errs[i] != nil:
			r.failed(ans.errs[i], append(slices.Clone(scanningAttrs), codeownersAttrs...))
		default:
			codeowners(ans.projects[i], ans.blobErrs[i], r)
			scanFromGraphQL(pctx, client, p, ans.projects[i], r)
		}
		res.Records = ptrace.Records()
		if i == 0 {
			res.Records = append(records, res.Records...)
		}
		r.projectResult.res = []evidence.Resource{*res}
		out[i] = r.projectResult
	}
}

// scanFromGraphQL records what the GraphQL answer says about p. Where the
// answer cannot say it exactly as REST would, it asks REST: when the
// newest pipeline of the default branch is not for its head commit (GET
// /pipelines/latest answers the head commit's pipeline) or the head is
// unknown, and when the pipeline has more than 100 jobs.
func scanFromGraphQL(ctx context.Context, client *gl.Client, p project, gp *gqlProject, r *projectRun) {
	if gp.Pipelines == nil {
		r.failed(&collectors.APIError{Kind: evidence.Errored, Operation: opGraphQL, Err: errors.New("gitlab graphql: the answer lacks the project's pipelines")}, scanningAttrs)
		return
	}
	if len(gp.Pipelines.Nodes) == 0 {
		noPipeline(r.res) // no pipeline on the branch at all, so none for its head
		return
	}
	pl := gp.Pipelines.Nodes[0]
	head := ""
	if gp.Repository != nil && gp.Repository.Tree != nil && gp.Repository.Tree.LastCommit != nil {
		head = gp.Repository.Tree.LastCommit.Sha
	}
	if head == "" || pl.Sha != head {
		scanREST(ctx, client, p, r)
		return
	}
	r.res.Attributes["last_pipeline_at"] = ts(pl.CreatedAt)
	r.res.Attributes["last_pipeline_status"] = strings.ToLower(pl.Status)
	if pl.Jobs != nil && !pl.Jobs.PageInfo.HasNextPage {
		recordScanners(r.res, pl.restJobs())
		return
	}
	id, err := pipelineID(pl.ID)
	if err != nil {
		r.failed(&collectors.APIError{Kind: evidence.Errored, Operation: opGraphQL, Err: err}, scanningAttrs[2:])
		return
	}
	pipelineJobs(ctx, client, p, id, r)
}

// codeowners records which CODEOWNERS file GitLab uses on the default
// branch, or gaps when the answer has no blobs for the project (an error
// on them, or null).
func codeowners(gp *gqlProject, blobErr error, r *projectRun) {
	if blobErr == nil && (gp.Repository == nil || gp.Repository.Blobs == nil) {
		blobErr = &collectors.APIError{Kind: evidence.Errored, Operation: opGraphQL, Err: errors.New("gitlab graphql: the answer lacks the project's CODEOWNERS blobs")}
	}
	if blobErr != nil {
		r.failed(blobErr, codeownersAttrs)
		return
	}
	found := ""
	for _, want := range codeownersPaths {
		if slices.ContainsFunc(gp.Repository.Blobs.Nodes, func(n struct {
			Path string `json:"path"`
		}) bool {
			return n.Path == want
		}) {
			found = want
			break
		}
	}
	r.res.Attributes["codeowners_file"] = found != ""
	r.res.Attributes["codeowners_path"] = found
}

// noPipeline records that no pipeline ran on the default branch's head.
func noPipeline(res *evidence.Resource) {
	res.Attributes["last_pipeline_at"] = ""
	res.Attributes["last_pipeline_status"] = ""
	for _, s := range scanners {
		res.Attributes[s.kind+"_jobs"] = []string{}
		res.Attributes["last_"+s.kind+"_at"] = ""
	}
}

// scanREST reads the head commit's latest pipeline and its jobs over REST.
func scanREST(ctx context.Context, client *gl.Client, p project, r *projectRun) {
	pl, err := get[pipeline](ctx, client, projectPath(p)+"/pipelines/latest", &refOpts{Ref: p.DefaultBranch})
	if statusOf(err) == http.StatusNotFound {
		noPipeline(r.res)
		return
	}
	if err != nil {
		r.failed(classify(err, opLatestPipeline, roleReporter), scanningAttrs)
		return
	}
	r.res.Attributes["last_pipeline_at"] = ts(pl.CreatedAt)
	r.res.Attributes["last_pipeline_status"] = pl.Status
	pipelineJobs(ctx, client, p, pl.ID, r)
}

// pipelineJobs reads the jobs of pipeline id over REST and records them.
func pipelineJobs(ctx context.Context, client *gl.Client, p project, id int64, r *projectRun) {
	jobs, err := list[job](ctx, client, projectPath(p)+"/pipelines/"+strconv.FormatInt(id, 10)+"/jobs", &jobListOpts{PerPage: 100})
	if err != nil {
		r.failed(classify(err, opPipelineJobs, roleReporter), scanningAttrs[2:])
		return
	}
	recordScanners(r.res, jobs)
}

// recordScanners records the scanner jobs of a pipeline's jobs.
func recordScanners(res *evidence.Resource, jobs []job) {
	for _, s := range scanners {
		names, last := []string{}, time.Time{}
		for _, j := range jobs {
			if !j.is(s.kind, s.names) {
				continue
			}
			names = append(names, j.Name)
			if j.Status == "success" && j.FinishedAt != nil && j.FinishedAt.After(last) {
				last = *j.FinishedAt
			}
		}
		slices.Sort(names)
		res.Attributes[s.kind+"_jobs"] = slices.Compact(names)
		res.Attributes["last_"+s.kind+"_at"] = ts(&last)
	}
}
