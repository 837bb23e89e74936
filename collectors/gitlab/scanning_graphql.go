package gitlab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// scanBatch is how many projects one scanning GraphQL query asks about.
// GitLab refuses authenticated queries above a complexity of 250
// (https://docs.gitlab.com/api/graphql/#limits); one project's pipeline
// with its jobs costs about 30 and the CODEOWNERS blobs about 5 more
// (repository.blobs is a connection that calls Gitaly), so 5 projects
// (about 175) stay below it. A complexity error halves the batch.
const scanBatch = 5

// scanProjectFields is one project's part of the scanning query: the head
// commit of the default branch, which of the CODEOWNERS files GitLab
// reads exist on it, and the newest pipeline on it with its (not retried)
// jobs and their report artifacts.
//
// GitLab GraphQL reference (https://docs.gitlab.com/api/graphql/reference/):
// Query.project(fullPath), Project.repository, Repository.tree(ref),
// Tree.lastCommit, Repository.blobs(paths, ref) (a RepositoryBlobConnection
// of the paths that exist), RepositoryBlob.path, Project.pipelines(ref, first), Pipeline.sha/status/
// createdAt/jobs(retried, first), CiJob.name/status/finishedAt/artifacts,
// CiJobArtifact.fileType.
const scanProjectFields = `%s: project(fullPath: $%s) {
    fullPath
    repository {
      tree(ref: $%s) { lastCommit { sha } }
      blobs(ref: $%s, paths: %s) { nodes { path } }
    }
    pipelines(ref: $%s, first: 1) {
      nodes {
        id sha status createdAt
        jobs(retried: false, first: 100) {
          pageInfo { hasNextPage }
          nodes { name status finishedAt artifacts { nodes { fileType } } }
        }
      }
    }
  }`

// scanQuery builds the query for n projects, aliased p0..pn-1, with
// variables fN (full path) and rN (default branch).
func scanQuery(n int) string {
	var vars, fields []string
	for i := range n {
		a, f, r := "p"+strconv.Itoa(i), "f"+strconv.Itoa(i), "r"+strconv.Itoa(i)
		vars = append(vars, "$"+f+": ID!", "$"+r+": String!")
		fields = append(fields, fmt.Sprintf(scanProjectFields, a, f, r, r, codeownersQueryPaths, r))
	}
	return "query AttestScanning(" + strings.Join(vars, ", ") + ") {\n  " + strings.Join(fields, "\n  ") + "\n}"
}

// codeownersPaths are where GitLab looks for the CODEOWNERS file on the
// target branch, in the order it looks: it uses the first it finds
// (https://docs.gitlab.com/user/project/codeowners/#codeowners-file).
var codeownersPaths = []string{"CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"}

// codeownersQueryPaths is codeownersPaths as a GraphQL list literal.
var codeownersQueryPaths = `["` + strings.Join(codeownersPaths, `", "`) + `"]`

// gqlProject is one project of the scanning answer.
type gqlProject struct {
	FullPath   string `json:"fullPath"`
	Repository *struct {
		Tree *struct {
			LastCommit *struct {
				Sha string `json:"sha"`
			} `json:"lastCommit"`
		} `json:"tree"`
		// Blobs lists those of the asked paths that exist; null when GitLab
		// could not answer (the field is nullable).
		Blobs *struct {
			Nodes []struct {
				Path string `json:"path"`
			} `json:"nodes"`
		} `json:"blobs"`
	} `json:"repository"`
	Pipelines *struct {
		Nodes []gqlPipeline `json:"nodes"`
	} `json:"pipelines"`
}

// gqlPipeline is a pipeline of the scanning answer; enums are upper case
// (SUCCESS, SAST) where REST answers lower case.
type gqlPipeline struct {
	ID        string     `json:"id"` // gid://gitlab/Ci::Pipeline/123
	Sha       string     `json:"sha"`
	Status    string     `json:"status"`
	CreatedAt *time.Time `json:"createdAt"`
	Jobs      *struct {
		PageInfo struct {
			HasNextPage bool `json:"hasNextPage"`
		} `json:"pageInfo"`
		Nodes []struct {
			Name       string     `json:"name"`
			Status     string     `json:"status"`
			FinishedAt *time.Time `json:"finishedAt"`
			Artifacts  *struct {
				Nodes []struct {
					FileType string `json:"fileType"`
				} `json:"nodes"`
			} `json:"artifacts"`
		} `json:"nodes"`
	} `json:"jobs"`
}

// gqlError is one entry of a GraphQL answer's errors.
type gqlError struct {
	Message string `json:"message"`
	Path    []any  `json:"path"`
}

// scanAnswer is the scanning query's answer: per project its data or the
// error that concerns it, and errors that concern only its CODEOWNERS
// blobs (path pN.repository.blobs).
type scanAnswer struct {
	projects []*gqlProject
	errs     []error
	blobErrs []error
}

// errComplexity marks a query GitLab refused for its complexity.
var errComplexity = errors.New("GitLab refused the query's complexity")

// askScanning sends the scanning query for ps. An error is one of the
// whole query (HTTP failure, errors without a path, no data); errors with
// a path fail only the project they name.
func askScanning(ctx context.Context, c *gl.Client, ps []project) (scanAnswer, error) {
	vars := map[string]any{}
	for i, p := range ps {
		vars["f"+strconv.Itoa(i)] = p.PathWithNamespace
		vars["r"+strconv.Itoa(i)] = p.DefaultBranch
	}
	var page struct {
		Data   map[string]json.RawMessage `json:"data"`
		Errors []gqlError                 `json:"errors"`
	}
	_, err := c.GraphQL.Do(gl.GraphQLQuery{Query: scanQuery(len(ps)), Variables: vars}, &page, gl.WithContext(ctx))
	if gre := (*gl.GraphQLResponseError)(nil); errors.As(err, &gre) && gre.Err != nil {
		err = gre.Err
	}
	if err != nil {
		return scanAnswer{}, err
	}
	ans := scanAnswer{projects: make([]*gqlProject, len(ps)), errs: make([]error, len(ps)), blobErrs: make([]error, len(ps))}
	var whole []string
	for _, e := range page.Errors {
		alias, _ := firstOf(e.Path)
		i, ok := aliasIndex(alias, len(ps))
		switch {
		case !ok:
			whole = append(whole, e.Message)
		case isBlobsPath(e.Path):
			ans.blobErrs[i] = errors.Join(ans.blobErrs[i], graphQLError(e.Message))
		default:
			ans.errs[i] = errors.Join(ans.errs[i], graphQLError(e.Message))
		}
	}
	if len(whole) > 0 || page.Data == nil {
		msg := strings.Join(whole, "; ")
		if strings.Contains(strings.ToLower(msg), "complexity") {
			return scanAnswer{}, fmt.Errorf("%w: %s", errComplexity, msg)
		}
		return scanAnswer{}, &collectors.APIError{Kind: evidence.Errored, Operation: opGraphQL, Err: fmt.Errorf("gitlab graphql: no answer: %s", msg)}
	}
	for i := range ps {
		raw, ok := page.Data["p"+strconv.Itoa(i)]
		if ans.errs[i] != nil {
			continue
		}
		var gp *gqlProject
		if ok {
			if err := json.Unmarshal(raw, &gp); err != nil {
				ans.errs[i] = &collectors.APIError{Kind: evidence.Errored, Operation: opGraphQL, Err: fmt.Errorf("gitlab graphql: decode project: %w", err)}
				continue
			}
		}
		if gp == nil {
			// GitLab answers null for a project that does not exist or that
			// the token's user cannot see: unknown, never "no pipeline".
			ans.errs[i] = &collectors.APIError{Kind: evidence.Errored, Operation: opGraphQL, Err: errors.New("gitlab graphql: the project is null: it does not exist or the token's user cannot see it")}
			continue
		}
		ans.projects[i] = gp
	}
	return ans, nil
}

func firstOf(path []any) (string, bool) {
	if len(path) == 0 {
		return "", false
	}
	s, ok := path[0].(string)
	return s, ok
}

// isBlobsPath reports whether an error path is pN.repository.blobs or
// below it.
func isBlobsPath(path []any) bool {
	return len(path) >= 3 && path[1] == "repository" && path[2] == "blobs"
}

// aliasIndex returns i for the alias "pI" when 0 <= i < n.
func aliasIndex(alias string, n int) (int, bool) {
	if !strings.HasPrefix(alias, "p") {
		return 0, false
	}
	i, err := strconv.Atoi(alias[1:])
	return i, err == nil && i >= 0 && i < n
}

// graphQLError classifies a GraphQL error message that concerns one
// project: GitLab names missing permissions in it.
func graphQLError(msg string) error {
	err := fmt.Errorf("gitlab graphql: %s", msg)
	if strings.Contains(strings.ToLower(msg), "permission") {
		return &collectors.APIError{Kind: evidence.Denied, Operation: opGraphQL, Permission: need(roleReporter), Err: err}
	}
	return &collectors.APIError{Kind: evidence.Errored, Operation: opGraphQL, Err: err}
}

// pipelineID returns the numeric ID of a pipeline global ID.
func pipelineID(gid string) (int64, error) {
	i := strings.LastIndexByte(gid, '/')
	id, err := strconv.ParseInt(gid[i+1:], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("gitlab graphql: pipeline id %q: %w", gid, err)
	}
	return id, nil
}

// restJobs converts the answer's jobs to the REST shape, lower-casing the
// enums (GitLab's GraphQL enums are the REST values in upper case).
func (p gqlPipeline) restJobs() []job {
	var out []job
	for _, n := range p.Jobs.Nodes {
		j := job{Name: n.Name, Status: strings.ToLower(n.Status), FinishedAt: n.FinishedAt}
		if n.Artifacts != nil {
			for _, a := range n.Artifacts.Nodes {
				j.Artifacts = append(j.Artifacts, struct {
					FileType string `json:"file_type"`
				}{strings.ToLower(a.FileType)})
			}
		}
		out = append(out, j)
	}
	return out
}
