package github

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	gh "github.com/google/go-github/v92/github"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// opGraphQL is the operation of every GraphQL query; the query itself is
// kept with each raw response (evidence.Record.Request).
const opGraphQL = "POST /graphql"

// graphQLRepoBatch is how many repositories one GraphQL query reads. It
// keeps the largest query (rulesets × rules per repository) well inside
// GitHub's limit of 500,000 nodes per query.
const graphQLRepoBatch = 50

// gqlError is one entry of a GraphQL response's "errors" array, as GitHub
// sends it: https://docs.github.com/graphql/guides/using-the-explorer and
// the GraphQL spec, section 7.1.2.
type gqlError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Path    []any  `json:"path"`
}

// GraphQLError is a GraphQL error GitHub answered with HTTP 200.
type GraphQLError struct {
	Type, Message string
}

func (e *GraphQLError) Error() string {
	if e.Type == "" {
		return "graphql: " + e.Message
	}
	return "graphql: " + e.Type + ": " + e.Message
}

// classifyGraphQL converts a GraphQL error entry of a query needing perm
// into a *collectors.APIError.
func classifyGraphQL(e gqlError, perm string) error {
	err := &GraphQLError{Type: e.Type, Message: e.Message}
	kind := evidence.Errored
	switch e.Type {
	case "FORBIDDEN", "INSUFFICIENT_SCOPES":
		kind = evidence.Denied
	case "RATE_LIMITED":
		kind = evidence.Throttled
	}
	ae := &collectors.APIError{Kind: kind, Operation: opGraphQL, Err: err}
	if kind == evidence.Denied {
		ae.Permission = strings.ReplaceAll(perm, "scope:", "")
	}
	return ae
}

// graphQLURL returns the GraphQL endpoint for the client's REST base URL:
// https://api.github.com/graphql, or /api/graphql on GitHub Enterprise
// Server, whose REST API is under /api/v3/.
func graphQLURL(c *gh.Client) string {
	base := c.BaseURL()
	if p, ok := strings.CutSuffix(base, "/v3/"); ok {
		return p + "/graphql"
	}
	return strings.TrimSuffix(base, "/") + "/graphql"
}

// graphql runs one query and decodes its data into out. It returns the
// error entries GitHub sent with partial data; an HTTP failure, or errors
// without any data, are returned as err, classified with perm.
func graphql(ctx context.Context, c *gh.Client, query string, vars map[string]any, perm string, out any) ([]gqlError, error) {
	req, err := c.NewRequest(ctx, "POST", graphQLURL(c), map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, fmt.Errorf("github graphql: %w", err)
	}
	var resp struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if _, err := c.Do(req, &resp); err != nil {
		return nil, classify(err, opGraphQL, perm)
	}
	if len(bytes.TrimSpace(resp.Data)) == 0 || string(bytes.TrimSpace(resp.Data)) == "null" {
		if len(resp.Errors) == 0 {
			return nil, classify(errors.New("github graphql: response without data"), opGraphQL, perm)
		}
		return nil, classifyGraphQL(resp.Errors[0], perm)
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		return nil, fmt.Errorf("github graphql: decode: %w", err)
	}
	return resp.Errors, nil
}

// graphqlWhole runs a follow-up query whose answer must be whole: an error
// entry, or data without the part present checks for (what names it), is
// an error, classified with perm.
func graphqlWhole(ctx context.Context, c *gh.Client, query string, vars map[string]any, perm string, out any, what string, present func() bool) error {
	errs, err := graphql(ctx, c, query, vars, perm, out)
	switch {
	case err != nil:
		return err
	case len(errs) > 0:
		return classifyGraphQL(errs[0], perm)
	case !present():
		return classifyGraphQL(gqlError{Type: "NOT_FOUND", Message: what + " not found"}, perm)
	}
	return nil
}

// pageInfo is a GraphQL connection's page information.
type pageInfo struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor"`
}

// graphRepo is one repository node of an organisation's repository list
// read with GraphQL: the common fields every query selects, the raw node
// for the collector's own fields, the errors GitHub reported under it, and
// the raw response records of its page.
type graphRepo struct {
	Name             string `json:"name"`
	NameWithOwner    string `json:"nameWithOwner"`
	URL              string `json:"url"`
	Visibility       string `json:"visibility"`
	IsArchived       bool   `json:"isArchived"`
	IsFork           bool   `json:"isFork"`
	DefaultBranchRef *struct {
		Name string `json:"name"`
	} `json:"defaultBranchRef"`

	raw     json.RawMessage
	errs    []gqlError
	records []string
}

// repoFields are the fields of graphRepo, for the queries' node selection.
const repoFields = `name nameWithOwner url visibility isArchived isFork defaultBranchRef { name }`

// owner returns the login of the repository's owner.
func (r *graphRepo) owner() string {
	o, _, _ := strings.Cut(r.NameWithOwner, "/")
	return o
}

// branch returns the default branch, "" for an empty repository.
func (r *graphRepo) branch() string {
	if r.DefaultBranchRef == nil {
		return ""
	}
	return r.DefaultBranchRef.Name
}

// visibility returns public, private or internal.
func (r *graphRepo) visibility() string { return strings.ToLower(r.Visibility) }

// err returns the first error GitHub reported under the node's field
// (any field when field is ""), classified with perm, or nil.
func (r *graphRepo) err(field, perm string) error {
	for _, e := range r.errs {
		if field == "" || slices.Contains(e.Path, any(field)) {
			return classifyGraphQL(e, perm)
		}
	}
	return nil
}

// errExcept returns the first error GitHub reported under the node that is
// not under field, classified with perm, or nil.
func (r *graphRepo) errExcept(field, perm string) error {
	for _, e := range r.errs {
		if !slices.Contains(e.Path, any(field)) {
			return classifyGraphQL(e, perm)
		}
	}
	return nil
}

// reposQuery returns the query listing an organisation's repositories,
// graphQLRepoBatch a page, with fields selected on each node.
func reposQuery(name, fields string) string {
	return `query ` + name + `($org: String!, $cursor: String) {
  organization(login: $org) {
    repositories(first: ` + fmt.Sprint(graphQLRepoBatch) + `, after: $cursor, orderBy: {field: NAME, direction: ASC}) {
      pageInfo { hasNextPage endCursor }
      nodes { ` + repoFields + ` ` + fields + ` }
    }
  }
}`
}

// eachGraphRepo reads the organisation's repositories with query (made by
// reposQuery), applies the source's filters as listRepos does, runs fn for
// every selected repository, at most cfg.Concurrency at once, and emits
// what it found sorted by repository name. A failed page ends the run: the
// repositories already read are emitted, and the error is returned.
func (s *Source) eachGraphRepo(ctx context.Context, org, query, perm string, out collectors.Sink, fn func(context.Context, *gh.Client, *graphRepo) repoResult) error {
	client, err := s.gh()
	if err != nil {
		return err
	}
	var (
		results []repoResult
		names   []string
		cursor  any
	)
	for {
		pctx, trace := collectors.WithTrace(ctx)
		var data struct {
			Organization *struct {
				Repositories struct {
					PageInfo pageInfo          `json:"pageInfo"`
					Nodes    []json.RawMessage `json:"nodes"`
				} `json:"repositories"`
			} `json:"organization"`
		}
		errs, err := graphql(pctx, client, query, map[string]any{"org": org, "cursor": cursor}, perm, &data)
		if err == nil && data.Organization == nil {
			err = classifyGraphQL(gqlError{Type: "NOT_FOUND", Message: "organization " + org + " not found"}, perm)
		}
		if err != nil {
			return flushSorted(out, names, results, fmt.Errorf("github graphql repositories of %s: %w", org, err))
		}
		for _, e := range errs {
			if len(e.Path) < 4 || e.Path[2] != "nodes" {
				// Not about one repository: the page itself is in doubt.
				return flushSorted(out, names, results, fmt.Errorf("github graphql repositories of %s: %w", org, classifyGraphQL(e, perm)))
			}
		}
		page, err := s.selectGraphRepos(data.Organization.Repositories.Nodes, errs, trace.Records(), out)
		if err != nil {
			return flushSorted(out, names, results, fmt.Errorf("github graphql repositories of %s: %w", org, err))
		}
		res := make([]repoResult, len(page))
		err = collectors.ForEach(ctx, s.cfg.Concurrency, len(page), func(ctx context.Context, i int) {
			res[i] = fn(ctx, client, page[i])
		})
		for _, r := range page {
			names = append(names, r.Name)
		}
		results = append(results, res...)
		if err != nil {
			return flushSorted(out, names, results, err)
		}
		pi := data.Organization.Repositories.PageInfo
		if !pi.HasNextPage || pi.EndCursor == "" {
			break
		}
		cursor = pi.EndCursor
	}
	return flushSorted(out, names, results, nil)
}

// selectGraphRepos decodes a page of repository nodes, attaches the
// GraphQL errors about each, and applies the source's filters (archived,
// include/exclude), recording the repositories it skips.
func (s *Source) selectGraphRepos(nodes []json.RawMessage, errs []gqlError, records []string, out collectors.Sink) ([]*graphRepo, error) {
	var page []*graphRepo
	for i, raw := range nodes {
		r := &graphRepo{raw: raw, records: records}
		if err := json.Unmarshal(raw, r); err != nil {
			return nil, fmt.Errorf("decode: %w", err)
		}
		for _, e := range errs {
			if len(e.Path) > 3 && e.Path[2] == "nodes" && e.Path[3] == float64(i) {
				r.errs = append(r.errs, e)
			}
		}
		if r.IsArchived && !s.cfg.IncludeArchived {
			collectors.Skip(out, r.URL, "archived (set include_archived to collect it)")
			continue
		}
		if !s.cfg.Repos.Match(r.Name) {
			collectors.Skip(out, r.URL, "filtered out by the repos include/exclude configuration")
			continue
		}
		page = append(page, r)
	}
	return page, nil
}

// flushSorted emits results ordered by the repository names, as the REST
// listing sorts them.
func flushSorted(out collectors.Sink, names []string, results []repoResult, err error) error {
	idx := indexes(len(results))
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(names[a], names[b]) })
	sorted := make([]repoResult, len(results))
	for i, j := range idx {
		sorted[i] = results[j]
	}
	return flush(out, sorted, err)
}
