package github

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	gh "github.com/google/go-github/v92/github"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/sampling"
)

// ReviewCollector gathers code review evidence: the population of pull
// requests merged in the last review_period_days across the organisation's
// repositories, and a deterministic sample of review_sample_size of them
// checked for an approving review by someone other than the author.
//
// The population comes with the repository list, graphQLRepoBatch
// repositories per GraphQL query (further pages per repository only when
// one repository merged more than a page in the period); the sample's
// reviews come reviewBatch pull requests per query.
//
// GitHub API docs:
//   - https://docs.github.com/graphql/reference/objects#repository (pullRequests, states MERGED, ordered by UPDATED_AT)
//   - https://docs.github.com/graphql/reference/objects#pullrequest (reviews)
//
// The sample is the pull requests with the smallest SHA-256 of their URL, so
// an auditor can recompute it from the population.
type ReviewCollector struct{ src *Source }

const (
	typePull   = "github.pull_request"
	typeReview = "github.pull_request.review"
	// reviewBatch is how many sampled pull requests one query reads the
	// reviews of.
	reviewBatch = 25
	permPulls   = "scope:repo or " + permPullRequests
)

// pullFields select a page of a repository's merged pull requests, most
// recently updated first.
const pullFields = `pageInfo { hasNextPage endCursor } nodes { number url mergedAt updatedAt baseRefName author { login } }`

// pullsQuery reads repositories with their recently merged pull requests.
var pullsQuery = reposQuery("AttestMergedPulls", `pullRequests(states: [MERGED], first: 100, orderBy: {field: UPDATED_AT, direction: DESC}) { `+pullFields+` }`)

// morePullsQuery reads a further page of one repository's merged pull
// requests.
const morePullsQuery = `query AttestMoreMergedPulls($owner: String!, $name: String!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    pullRequests(states: [MERGED], first: 100, after: $cursor, orderBy: {field: UPDATED_AT, direction: DESC}) { ` + pullFields + ` }
  }
}`

// reviewFields select a page of a pull request's reviews, oldest first.
const reviewFields = `reviews(first: 100, after: $cursor) { pageInfo { hasNextPage endCursor } nodes { author { login } state } }`

// moreReviewsQuery reads a further page of one pull request's reviews.
const moreReviewsQuery = `query AttestMoreReviews($owner: String!, $name: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $name) { pullRequest(number: $number) { ` + reviewFields + ` } }
}`

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
		ID: "github.reviews", Version: 2, Source: SourceName,
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
	repo     string // owner/name
	owner    string
	name     string
	number   int
	author   string
	base     string
	mergedAt time.Time
	id       string
	key      string
	records  []string
}

type pullConn struct {
	PageInfo pageInfo `json:"pageInfo"`
	Nodes    []struct {
		Number      int       `json:"number"`
		URL         string    `json:"url"`
		MergedAt    time.Time `json:"mergedAt"`
		UpdatedAt   time.Time `json:"updatedAt"`
		BaseRefName string    `json:"baseRefName"`
		Author      *struct {
			Login string `json:"login"`
		} `json:"author"`
	} `json:"nodes"`
}

// Collect reads the organisation's merged pull requests and the sample's
// reviews.
func (c *ReviewCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	since := c.src.cfg.Now().UTC().AddDate(0, 0, -c.src.cfg.ReviewPeriodDays)
	var (
		mu  sync.Mutex
		pop []pull
	)
	err := c.src.eachGraphRepo(ctx, target.Account, pullsQuery, permPulls, out, func(ctx context.Context, client *gh.Client, r *graphRepo) repoResult {
		l, err := c.merged(ctx, client, r, since)
		if err != nil {
			if canceled(err) {
				return repoResult{err: err}
			}
			// The population is incomplete: say so, keep the rest.
			return repoResult{fails: []evidence.Failure{collectors.FailureOf(err, r.URL)}}
		}
		mu.Lock()
		pop = append(pop, l...)
		mu.Unlock()
		return repoResult{}
	})
	if err != nil {
		return err
	}
	sample, rest := sampling.Split(pop, func(p pull) string { return p.key }, c.src.cfg.ReviewSampleSize)

	client, err := c.src.gh()
	if err != nil {
		return err
	}
	var chunks [][]pull
	for b := range slices.Chunk(sample, reviewBatch) {
		chunks = append(chunks, b)
	}
	reviews := make([][]repoResult, len(chunks))
	err = collectors.ForEach(ctx, c.src.cfg.Concurrency, len(chunks), func(ctx context.Context, i int) {
		reviews[i] = c.reviews(ctx, client, chunks[i])
	})
	for _, p := range sample {
		out.Emit(c.popResource(p, true))
	}
	for _, p := range rest {
		out.Emit(c.popResource(p, false))
	}
	return flush(out, slices.Concat(reviews...), err)
}

// merged returns the pull requests of r merged since the start of the
// period. Its page of the repository list holds the most recently updated
// ones; further pages are read only while they are still in the period.
func (c *ReviewCollector) merged(ctx context.Context, client *gh.Client, r *graphRepo, since time.Time) ([]pull, error) {
	if err := r.err("", permPulls); err != nil {
		return nil, err
	}
	var node struct {
		Pulls *pullConn `json:"pullRequests"`
	}
	if err := json.Unmarshal(r.raw, &node); err != nil {
		return nil, fmt.Errorf("github graphql %s: decode: %w", r.NameWithOwner, err)
	}
	ctx, trace := collectors.WithTrace(ctx)
	var out []pull
	for conn := node.Pulls; conn != nil; {
		inPeriod := true
		for _, pr := range conn.Nodes {
			if pr.UpdatedAt.Before(since) {
				inPeriod = false
				break
			}
			if pr.MergedAt.IsZero() || pr.MergedAt.Before(since) {
				continue
			}
			id := pr.URL
			if id == "" {
				id = fmt.Sprintf("%s/pull/%d", r.URL, pr.Number)
			}
			p := pull{repo: r.NameWithOwner, owner: r.owner(), name: r.Name, number: pr.Number, base: pr.BaseRefName,
				mergedAt: pr.MergedAt, id: id, key: sampling.Key(id)}
			if pr.Author != nil {
				p.author = pr.Author.Login
			}
			out = append(out, p)
		}
		if !inPeriod || !conn.PageInfo.HasNextPage {
			break
		}
		var more struct {
			Repository *struct {
				Pulls *pullConn `json:"pullRequests"`
			} `json:"repository"`
		}
		err := graphqlWhole(ctx, client, morePullsQuery, map[string]any{"owner": r.owner(), "name": r.Name, "cursor": conn.PageInfo.EndCursor},
			permPulls, &more, "pull requests of "+r.NameWithOwner, func() bool { return more.Repository != nil && more.Repository.Pulls != nil })
		if err != nil {
			return nil, fmt.Errorf("github graphql pull requests of %s: %w", r.NameWithOwner, err)
		}
		conn = more.Repository.Pulls
	}
	records := append(slices.Clone(r.records), trace.Records()...)
	for i := range out {
		out[i].records = records
	}
	return out, nil
}

func (c *ReviewCollector) attrs(p pull) map[string]any {
	return map[string]any{
		"repository": p.repo, "number": p.number, "author": p.author,
		"base": p.base, "merged_at": p.mergedAt.UTC().Format(time.RFC3339),
	}
}

func (c *ReviewCollector) popResource(p pull, sampled bool) evidence.Resource {
	a := c.attrs(p)
	a["sampled"] = sampled
	return evidence.Resource{Type: typePull, ID: p.id, Name: fmt.Sprintf("%s#%d", p.repo, p.number), Account: p.owner, Attributes: a, Records: p.records}
}

// reviewConn is a page of a pull request's reviews.
type reviewConn struct {
	PageInfo pageInfo `json:"pageInfo"`
	Nodes    []struct {
		Author *struct {
			Login string `json:"login"`
		} `json:"author"`
		State string `json:"state"`
	} `json:"nodes"`
}

// reviewsQuery returns the query reading the first page of reviews of n
// pull requests, aliased p0 … p(n-1), with variables o<i>, n<i>, k<i>.
func reviewsQuery(n int) string {
	var params, fields strings.Builder
	params.WriteString("$cursor: String")
	for i := range n {
		fmt.Fprintf(&params, ", $o%d: String!, $n%d: String!, $k%d: Int!", i, i, i)
		fmt.Fprintf(&fields, "  p%d: repository(owner: $o%d, name: $n%d) { pullRequest(number: $k%d) { %s } }\n", i, i, i, i, reviewFields)
	}
	return "query AttestReviews(" + params.String() + ") {\n" + fields.String() + "}"
}

// reviews reads the reviews of a batch of sampled pull requests in one
// query and counts the approvals by someone other than the author.
func (c *ReviewCollector) reviews(ctx context.Context, client *gh.Client, batch []pull) []repoResult {
	ctx, trace := collectors.WithTrace(ctx)
	vars := map[string]any{"cursor": nil}
	for i, p := range batch {
		vars[fmt.Sprint("o", i)], vars[fmt.Sprint("n", i)], vars[fmt.Sprint("k", i)] = p.owner, p.name, p.number
	}
	var data map[string]*struct {
		PullRequest *struct {
			Reviews *reviewConn `json:"reviews"`
		} `json:"pullRequest"`
	}
	errs, err := graphql(ctx, client, reviewsQuery(len(batch)), vars, permPulls, &data)
	if canceled(err) {
		return []repoResult{{err: err}}
	}
	records := trace.Records()
	out := make([]repoResult, len(batch))
	for i, p := range batch {
		res := &evidence.Resource{Type: typeReview, ID: p.id, Name: fmt.Sprintf("%s#%d", p.repo, p.number), Account: p.owner, Attributes: c.attrs(p)}
		alias := fmt.Sprint("p", i)
		perr := err
		if perr == nil {
			for _, e := range errs {
				if len(e.Path) > 0 && e.Path[0] == alias {
					perr = classifyGraphQL(e, permPulls)
					break
				}
			}
		}
		var conn *reviewConn
		if perr == nil {
			if d := data[alias]; d != nil && d.PullRequest != nil {
				conn = d.PullRequest.Reviews
			}
			if conn == nil {
				perr = classifyGraphQL(gqlError{Type: "NOT_FOUND", Message: fmt.Sprintf("pull request %s#%d", p.repo, p.number)}, permPulls)
			}
		}
		var more []string
		approvals := 0
		if perr == nil {
			approvals, more, perr = c.approvals(ctx, client, p, conn)
		}
		res.Records = append(slices.Clone(records), more...)
		if perr != nil {
			if canceled(perr) {
				return []repoResult{{err: perr}}
			}
			res.Gaps = append(res.Gaps, collectors.GapOf(perr, "approvals_by_others"), collectors.GapOf(perr, "approved_by_other"))
			out[i] = repoResult{res: res, fails: []evidence.Failure{collectors.FailureOf(perr, res.ID)}}
			continue
		}
		res.Attributes["approvals_by_others"] = approvals
		res.Attributes["approved_by_other"] = approvals > 0
		out[i] = repoResult{res: res}
	}
	return out
}

// approvals counts the approving reviews by others than the author of p,
// reading further pages of reviews after conn when there are more. The
// latest review of each reviewer counts, as on GitHub. It returns the
// records of the further pages.
func (c *ReviewCollector) approvals(ctx context.Context, client *gh.Client, p pull, conn *reviewConn) (int, []string, error) {
	ctx, trace := collectors.WithTrace(ctx)
	latest := map[string]string{}
	for conn != nil {
		for _, rv := range conn.Nodes {
			if rv.Author == nil {
				continue
			}
			switch rv.State {
			case "APPROVED", "CHANGES_REQUESTED", "DISMISSED":
				latest[rv.Author.Login] = rv.State
			}
		}
		if !conn.PageInfo.HasNextPage {
			break
		}
		var more struct {
			Repository *struct {
				PullRequest *struct {
					Reviews *reviewConn `json:"reviews"`
				} `json:"pullRequest"`
			} `json:"repository"`
		}
		err := graphqlWhole(ctx, client, moreReviewsQuery, map[string]any{"owner": p.owner, "name": p.name, "number": p.number, "cursor": conn.PageInfo.EndCursor},
			permPulls, &more, fmt.Sprintf("reviews of %s#%d", p.repo, p.number), func() bool {
				return more.Repository != nil && more.Repository.PullRequest != nil && more.Repository.PullRequest.Reviews != nil
			})
		if err != nil {
			return 0, trace.Records(), err
		}
		conn = more.Repository.PullRequest.Reviews
	}
	approvals := 0
	for login, state := range latest {
		if state == "APPROVED" && login != p.author && login != "" {
			approvals++
		}
	}
	return approvals, trace.Records(), nil
}
