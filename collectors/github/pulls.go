package github

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"time"

	gh "github.com/google/go-github/v92/github"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// ReviewCollector gathers code review evidence: the population of pull
// requests merged in the last review_period_days across the organisation's
// repositories, and a deterministic sample of review_sample_size of them
// checked for an approving review by someone other than the author.
//
// GitHub API docs:
//   - https://docs.github.com/rest/pulls/pulls#list-pull-requests (GET /repos/{owner}/{repo}/pulls, state=closed, sort=updated)
//   - https://docs.github.com/rest/pulls/reviews#list-reviews-for-a-pull-request (GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews)
//
// The sample is the pull requests with the smallest SHA-256 of their URL, so
// an auditor can recompute it from the population.
type ReviewCollector struct{ src *Source }

const (
	opListPulls   = "GET /repos/{owner}/{repo}/pulls"
	opListReviews = "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews"
	typePull      = "github.pull_request"
	typeReview    = "github.pull_request.review"
)

// Describe returns the collector's metadata.
func (c *ReviewCollector) Describe() collectors.Descriptor {
	common := []collectors.Attribute{
		{Name: "repository", Type: "string", Doc: "Repository full name."},
		{Name: "number", Type: "int", Doc: "Pull request number."},
		{Name: "author", Type: "string", Doc: "Login of the author."},
		{Name: "base", Type: "string", Doc: "Branch merged into."},
		{Name: "merged_at", Type: "timestamp", Doc: "When it was merged."},
	}
	return collectors.Descriptor{
		ID: "github.reviews", Version: 1, Source: SourceName,
		Title: "GitHub merged pull requests and their reviews (population and sample)",
		ResourceTypes: []collectors.ResourceType{
			{Name: typePull, Doc: "A pull request merged in the review period (the population).", Attributes: append(slices.Clone(common),
				collectors.Attribute{Name: "sampled", Type: "bool", Doc: "The pull request is in the review sample."})},
			{Name: typeReview, Doc: "A sampled merged pull request with its review evidence.", Attributes: append(slices.Clone(common),
				collectors.Attribute{Name: "approvals_by_others", Type: "int", Doc: "Approving reviews by users other than the author."},
				collectors.Attribute{Name: "approved_by_other", Type: "bool", Doc: "At least one approving review by someone other than the author."})},
		},
		Permissions: []string{scopeRepo, permPullRequests},
	}
}

type pull struct {
	repo *gh.Repository
	pr   *gh.PullRequest
	id   string
	key  string
}

// Collect reads the organisation's merged pull requests and the sample's
// reviews.
func (c *ReviewCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := c.src.gh()
	if err != nil {
		return err
	}
	repos, err := c.src.listRepos(ctx, client, target.Account, out)
	if err != nil {
		return err
	}
	since := c.src.cfg.Now().UTC().AddDate(0, 0, -c.src.cfg.ReviewPeriodDays)
	lists := make([][]pull, len(repos))
	errs := make([]error, len(repos))
	err = forEach(ctx, c.src.cfg.Concurrency, indexes(len(repos)), func(ctx context.Context, i int) {
		lists[i], errs[i] = c.merged(ctx, client, repos[i], since)
	})
	if err != nil {
		return err
	}
	var pop []pull
	for i, l := range lists {
		if errs[i] != nil {
			if canceled(errs[i]) {
				return errs[i]
			}
			// The population is incomplete: say so, keep the rest.
			out.Fail(collectors.FailureOf(errs[i], repoID(repos[i])))
			continue
		}
		pop = append(pop, l...)
	}
	slices.SortFunc(pop, func(a, b pull) int { return cmp.Compare(a.key, b.key) })
	n := min(c.src.cfg.ReviewSampleSize, len(pop))
	sample, rest := pop[:n], pop[n:]

	reviews := make([]repoResult, len(sample))
	err = forEach(ctx, c.src.cfg.Concurrency, indexes(len(sample)), func(ctx context.Context, i int) {
		reviews[i] = c.review(ctx, client, sample[i])
	})
	for _, p := range sample {
		out.Emit(c.popResource(p, true))
	}
	for _, p := range rest {
		out.Emit(c.popResource(p, false))
	}
	return flush(out, reviews, err)
}

// merged lists the pull requests of r merged since the start of the period,
// newest updated first, stopping at the first one updated before it.
func (c *ReviewCollector) merged(ctx context.Context, client *gh.Client, r *gh.Repository, since time.Time) ([]pull, error) {
	var out []pull
	opts := &gh.PullRequestListOptions{State: "closed", Sort: "updated", Direction: "desc", ListOptions: gh.ListOptions{PerPage: 100}}
	for pr, err := range client.PullRequests.ListIter(ctx, r.GetOwner().GetLogin(), r.GetName(), opts) {
		if err != nil {
			return nil, fmt.Errorf("github %s %s: %w", opListPulls, r.GetFullName(), classify(err, opListPulls, "scope:repo or "+permPullRequests))
		}
		if pr.GetUpdatedAt().Before(since) {
			break
		}
		if pr.MergedAt == nil || pr.GetMergedAt().Before(since) {
			continue
		}
		id := pr.GetHTMLURL()
		if id == "" {
			id = repoID(r) + "/pull/" + strconv.Itoa(pr.GetNumber())
		}
		sum := sha256.Sum256([]byte(id))
		out = append(out, pull{repo: r, pr: pr, id: id, key: hex.EncodeToString(sum[:])})
	}
	return out, nil
}

func (c *ReviewCollector) attrs(p pull) map[string]any {
	return map[string]any{
		"repository": p.repo.GetFullName(), "number": p.pr.GetNumber(), "author": p.pr.GetUser().GetLogin(),
		"base": p.pr.GetBase().GetRef(), "merged_at": ts(p.pr.GetMergedAt()),
	}
}

func (c *ReviewCollector) popResource(p pull, sampled bool) evidence.Resource {
	a := c.attrs(p)
	a["sampled"] = sampled
	return evidence.Resource{Type: typePull, ID: p.id, Name: fmt.Sprintf("%s#%d", p.repo.GetFullName(), p.pr.GetNumber()), Account: p.repo.GetOwner().GetLogin(), Attributes: a}
}

func (c *ReviewCollector) review(ctx context.Context, client *gh.Client, p pull) repoResult {
	ctx, trace := collectors.WithTrace(ctx)
	res := &evidence.Resource{Type: typeReview, ID: p.id, Name: fmt.Sprintf("%s#%d", p.repo.GetFullName(), p.pr.GetNumber()),
		Account: p.repo.GetOwner().GetLogin(), Attributes: c.attrs(p)}
	author := p.pr.GetUser().GetLogin()
	// The latest review of each reviewer counts, as on GitHub.
	latest := map[string]string{}
	for rv, err := range client.PullRequests.ListReviewsIter(ctx, p.repo.GetOwner().GetLogin(), p.repo.GetName(), p.pr.GetNumber(), &gh.ListOptions{PerPage: 100}) {
		if err != nil {
			err = classify(err, opListReviews, "scope:repo or "+permPullRequests)
			if canceled(err) {
				return repoResult{err: err}
			}
			res.Gaps = append(res.Gaps, collectors.GapOf(err, "approvals_by_others"), collectors.GapOf(err, "approved_by_other"))
			res.Records = trace.Records()
			return repoResult{res: res, fails: []evidence.Failure{collectors.FailureOf(err, res.ID)}}
		}
		login := rv.GetUser().GetLogin()
		switch rv.GetState() {
		case "APPROVED", "CHANGES_REQUESTED", "DISMISSED":
			latest[login] = rv.GetState()
		}
	}
	approvals := 0
	for login, state := range latest {
		if state == "APPROVED" && login != author && login != "" {
			approvals++
		}
	}
	res.Attributes["approvals_by_others"] = approvals
	res.Attributes["approved_by_other"] = approvals > 0
	res.Records = trace.Records()
	return repoResult{res: res}
}
