package gitlabfake

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// headSHA is the head commit of every fake default branch; a pipeline is
// for it unless it is Stale.
const headSHA = "a91957a858320c0e17f3a0eca7cfacbff50ea29a"

// scanAlias finds the aliased project fields of the scanning query: alias,
// full path variable, ref variable, pipelines first, jobs first.
var scanAlias = regexp.MustCompile(`(?s)(\w+): project\(fullPath: \$(\w+)\).*?pipelines\(ref: \$(\w+), first: (\d+)\).*?jobs\(retried: false, first: (\d+)\)`)

// blobsField finds a project's repository.blobs field: ref variable and
// the paths list literal.
var blobsField = regexp.MustCompile(`blobs\(ref: \$(\w+), paths: \[([^\]]*)\]\)`)

// complexityPerProject is roughly what GitLab counts for one project of
// the scanning query: about 30 for the pipeline with its jobs, and 5 more
// for repository.blobs (a connection that calls Gitaly).
const complexityPerProject = 35

// scanning answers the gitlab.scanning collector's query: for each
// aliased project its default branch's head commit and newest pipeline
// with its jobs, in GitLab's GraphQL wire format (upper-case enums, global
// IDs, null for a project the token cannot see, errors for a query above
// the complexity limit).
func (h *handler) scanning(w http.ResponseWriter, r *http.Request, query string, vars map[string]any) {
	ms := scanAlias.FindAllStringSubmatch(query, -1)
	idx := scanAlias.FindAllStringIndex(query, -1)
	if len(ms) == 0 {
		h.s.Refuse(w, r, "gitlabfake")
		return
	}
	limit := h.s.MaxComplexity
	if limit <= 0 {
		limit = 250
	}
	if c := complexityPerProject * len(ms); c > limit {
		writeJSON(w, map[string]any{"errors": []any{map[string]any{"message": fmt.Sprintf("Query has complexity of %d, which exceeds max complexity of %d", c, limit)}}})
		return
	}
	data := map[string]any{}
	for i, m := range ms {
		path, _ := vars[m[2]].(string)
		ref, _ := vars[m[3]].(string)
		jobsFirst, _ := strconv.Atoi(m[5])
		p, g := h.project(path)
		if p == nil {
			data[m[1]] = nil
			continue
		}
		ans := h.scanProject(g.Path+"/"+p.Path, p, ref, jobsFirst)
		end := len(query)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		if b := blobsField.FindStringSubmatch(query[idx[i][0]:end]); b != nil {
			blobRef, _ := vars[b[1]].(string)
			ans["repository"].(map[string]any)["blobs"] = blobs(p, blobRef, b[2])
		}
		data[m[1]] = ans
	}
	writeJSON(w, map[string]any{"data": data})
}

// blobs answers repository.blobs(ref:, paths:): the asked paths that
// exist on ref, as GitLab lists only existing blobs.
func blobs(p *Project, ref, paths string) map[string]any {
	nodes := []any{}
	for _, q := range strings.Split(paths, ",") {
		q = strings.Trim(strings.TrimSpace(q), `"`)
		if ref == p.DefaultBranch && q != "" && q == p.CodeOwnersFile {
			nodes = append(nodes, map[string]any{"path": q})
		}
	}
	return map[string]any{"nodes": nodes}
}

func (h *handler) scanProject(full string, p *Project, ref string, jobsFirst int) map[string]any {
	var tree any
	if ref == p.DefaultBranch {
		tree = map[string]any{"lastCommit": map[string]any{"sha": headSHA}}
	}
	nodes := []any{}
	if pl := p.Pipeline; pl != nil && ref == p.DefaultBranch {
		per := min(jobsFirst, 100)
		if h.s.MaxPerPage > 0 {
			per = min(per, h.s.MaxPerPage)
		}
		var jobNodes []any
		for _, j := range pl.Jobs {
			arts := []any{}
			for _, a := range j.Artifacts {
				arts = append(arts, map[string]any{"fileType": strings.ToUpper(a)})
			}
			jobNodes = append(jobNodes, map[string]any{"name": j.Name, "status": strings.ToUpper(j.Status),
				"finishedAt": j.FinishedAt.UTC().Format(time.RFC3339), "artifacts": map[string]any{"nodes": arts}})
		}
		more := len(jobNodes) > per
		jobNodes = jobNodes[:min(per, len(jobNodes))]
		if jobNodes == nil {
			jobNodes = []any{}
		}
		sha := headSHA
		if pl.Stale {
			sha = "0b4bc9a49b562e85de7cc9e834518ea6828729b9"
		}
		nodes = append(nodes, map[string]any{
			"id": "gid://gitlab/Ci::Pipeline/" + strconv.FormatInt(pl.ID, 10), "sha": sha, "status": strings.ToUpper(pl.Status),
			"createdAt": pl.CreatedAt.UTC().Format(time.RFC3339),
			"jobs":      map[string]any{"pageInfo": map[string]any{"hasNextPage": more}, "nodes": jobNodes},
		})
	}
	return map[string]any{"fullPath": full, "repository": map[string]any{"tree": tree}, "pipelines": map[string]any{"nodes": nodes}}
}
