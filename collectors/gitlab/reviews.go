package gitlab

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/sampling"
)

// ReviewCollector gathers code review evidence: the population of merge
// requests merged in the last review_period_days across the group
// hierarchy (one group-level listing, not one per project), and a
// deterministic sample of review_sample_size of them checked for an
// approval by someone other than the author.
//
// GitLab API docs:
//   - https://docs.gitlab.com/api/merge_requests/#list-group-merge-requests (GET /groups/:id/merge_requests, state=merged)
//   - https://docs.gitlab.com/api/merge_request_approvals/#retrieve-approval-state-for-a-merge-request (GET /projects/:id/merge_requests/:merge_request_iid/approvals)
//
// The sample is the merge requests with the smallest SHA-256 of their web
// URL, so an auditor can recompute it from the population.
type ReviewCollector struct{ src *Source }

const (
	opListMRs     = "GET /groups/{id}/merge_requests"
	opMRApprovals = "GET /projects/{id}/merge_requests/{merge_request_iid}/approvals"
	typeMR        = "gitlab.merge_request"
	typeMRReview  = "gitlab.merge_request.review"
)

// Describe returns the collector's metadata.
func (c *ReviewCollector) Describe() collectors.Descriptor {
	common := []collectors.Attribute{
		{Name: "repository", Type: "string", Doc: "Project full path."},
		{Name: "number", Type: "int", Doc: "Merge request IID (its number in the project)."},
		{Name: "author", Type: "string", Doc: "Username of the author."},
		{Name: "base", Type: "string", Doc: "Target branch merged into."},
		{Name: "merged_at", Type: "timestamp", Doc: "When it was merged."},
	}
	return collectors.Descriptor{
		ID: "gitlab.reviews", Version: 1, Source: SourceName,
		Title: "GitLab merged merge requests and a sample of their approvals",
		ResourceTypes: []collectors.ResourceType{
			{Name: typeMR, Doc: "A merge request merged in the review period (the population).", Attributes: append(slices.Clone(common),
				collectors.Attribute{Name: "sampled", Type: "bool", Doc: "The merge request is in the review sample."})},
			{Name: typeMRReview, Doc: "A sampled merged merge request with its approval evidence.", Attributes: append(slices.Clone(common),
				collectors.Attribute{Name: "approvals_by_others", Type: "int", Doc: "Approvals by users other than the author."},
				collectors.Attribute{Name: "approved_by_other", Type: "bool", Doc: "At least one approval by someone other than the author."})},
		},
		Permissions: []string{scopeReadAPI, roleReporter},
	}
}

// mergeRequest is the part of a listed merge request attest reads.
type mergeRequest struct {
	IID          int64      `json:"iid"`
	ProjectID    int64      `json:"project_id"`
	WebURL       string     `json:"web_url"`
	TargetBranch string     `json:"target_branch"`
	MergedAt     *time.Time `json:"merged_at"`
	Author       *struct {
		Username string `json:"username"`
	} `json:"author"`
	References struct {
		Full string `json:"full"`
	} `json:"references"`
}

func (m mergeRequest) project() string {
	p, _, _ := strings.Cut(m.References.Full, "!")
	return p
}

func (m mergeRequest) author() string {
	if m.Author == nil {
		return ""
	}
	return m.Author.Username
}

type mrListOpts struct {
	PerPage      int    `url:"per_page,omitempty"`
	State        string `url:"state,omitempty"`
	Scope        string `url:"scope,omitempty"`
	UpdatedAfter string `url:"updated_after,omitempty"`
	OrderBy      string `url:"order_by,omitempty"`
	Sort         string `url:"sort,omitempty"`
}

// Collect reads the population and the sample of the top-level group.
func (c *ReviewCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := c.src.gl()
	if err != nil {
		return err
	}
	top := target.Account
	// From the start of that day, so that collections on one day ask
	// the same question and record the same request.
	since := c.src.cfg.Now().AddDate(0, 0, -c.src.cfg.ReviewPeriodDays).UTC().Truncate(24 * time.Hour)
	tctx, trace := collectors.WithTrace(ctx)
	mrs, err := list[mergeRequest](tctx, client, groupPath(top)+"/merge_requests", &mrListOpts{
		PerPage: 100, State: "merged", Scope: "all", UpdatedAfter: since.Format(time.RFC3339), OrderBy: "updated_at", Sort: "desc",
	})
	if err != nil {
		return fmt.Errorf("gitlab %s %s: %w", opListMRs, top, classify(err, opListMRs, roleReporter))
	}
	records := trace.Records()
	type keyed struct {
		mr  mergeRequest
		key string
	}
	var pop []keyed
	for _, m := range mrs {
		if m.MergedAt == nil || m.MergedAt.Before(since) || !c.src.cfg.Projects.Match(m.project()) {
			continue
		}
		pop = append(pop, keyed{mr: m, key: sampling.Key(m.WebURL)})
	}
	sample, _ := sampling.Split(pop, func(k keyed) string { return k.key }, c.src.cfg.ReviewSampleSize)
	n := len(sample)
	for i, k := range pop {
		res := mrResource(typeMR, k.mr)
		res.Attributes["sampled"] = i < n
		if i == 0 {
			res.Records = records
		}
		out.Emit(res)
	}
	for _, k := range sample {
		if err := c.review(ctx, client, k.mr, out); err != nil {
			return err
		}
	}
	return nil
}

func mrResource(typ string, m mergeRequest) evidence.Resource {
	return evidence.Resource{
		Type: typ, ID: m.WebURL, Name: m.References.Full,
		Attributes: map[string]any{
			"repository": m.project(), "number": m.IID, "author": m.author(), "base": m.TargetBranch, "merged_at": ts(m.MergedAt),
		},
	}
}

// mrApprovals is the approval state of a merge request.
type mrApprovals struct {
	ApprovedBy []struct {
		User struct {
			Username string `json:"username"`
		} `json:"user"`
	} `json:"approved_by"`
}

// review emits the review evidence of one sampled merge request. It
// returns an error only when the run is cancelled.
func (c *ReviewCollector) review(ctx context.Context, client *gl.Client, m mergeRequest, out collectors.Sink) error {
	ctx, trace := collectors.WithTrace(ctx)
	res := mrResource(typeMRReview, m)
	path := "projects/" + strconv.FormatInt(m.ProjectID, 10) + "/merge_requests/" + strconv.FormatInt(m.IID, 10) + "/approvals"
	ap, err := get[mrApprovals](ctx, client, path, nil)
	res.Records = trace.Records()
	if err != nil {
		err = classify(err, opMRApprovals, roleReporter)
		res.Gaps = append(res.Gaps, collectors.GapOf(err, "approvals_by_others"), collectors.GapOf(err, "approved_by_other"))
		out.Emit(res)
		out.Fail(collectors.FailureOf(err, res.ID))
		if stopped(err) {
			return err
		}
		return nil
	}
	others := 0
	for _, a := range ap.ApprovedBy {
		if a.User.Username != "" && !strings.EqualFold(a.User.Username, m.author()) {
			others++
		}
	}
	res.Attributes["approvals_by_others"] = others
	res.Attributes["approved_by_other"] = others > 0
	out.Emit(res)
	return nil
}
