package githubfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// graphQLPage is how many repositories a page of organization.repositories
// holds unless MaxPerPage is smaller (the collectors ask for 50).
const graphQLPage = 50

// opName finds the operation name of a GraphQL document.
var opName = regexp.MustCompile(`^\s*query\s+(\w+)`)

// serveGraphQL answers the GraphQL queries the github collectors send, by
// operation name, in the shape of GitHub's GraphQL API
// (https://docs.github.com/graphql): {"data": ...} with connections of
// nodes and pageInfo, opaque cursors, and enum values in capitals. It does
// not interpret the selection: every query gets the fields the collectors
// select.
func (s *State) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Problems parsing JSON", "documentation_url": "https://docs.github.com/graphql"})
		return
	}
	m := opName.FindStringSubmatch(req.Query)
	if m == nil {
		s.Refuse(w, r, "githubfake")
		return
	}
	str := func(k string) string { v, _ := req.Variables[k].(string); return v }
	switch m[1] {
	case "AttestRepoProtection", "AttestDependabotAlerts", "AttestMergedPulls":
		org := s.org(str("org"))
		if org == nil {
			gqlNotFound(w, "organization", "Could not resolve to an Organization with the login of '"+str("org")+"'.")
			return
		}
		per := graphQLPage
		if s.MaxPerPage > 0 {
			per = min(per, s.MaxPerPage)
		}
		repos := slices.Clone(org.Repos)
		slices.SortFunc(repos, func(a, b *Repo) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
		lo := min(offset(str("cursor")), len(repos))
		hi := min(lo+per, len(repos))
		nodes := []any{}
		for _, rp := range repos[lo:hi] {
			n := repoNode(org, rp)
			switch m[1] {
			case "AttestRepoProtection":
				if rp.DefaultBranch != "" {
					n["defaultBranchRef"] = map[string]any{"name": rp.DefaultBranch, "branchProtectionRule": protectionNode(rp.Protection)}
				}
				n["rulesets"] = rulesetConn(rp)
				for alias, path := range map[string]string{"codeownersRoot": "CODEOWNERS", "codeownersGitHub": ".github/CODEOWNERS", "codeownersDocs": "docs/CODEOWNERS"} {
					n[alias] = nil
					if rp.DefaultBranch != "" && rp.CodeOwners == path {
						n[alias] = map[string]any{"id": base64.StdEncoding.EncodeToString([]byte("blob:" + rp.Name + ":" + path))}
					}
				}
				n["deployKeys"] = deployKeyConn(rp)
			case "AttestDependabotAlerts":
				n["hasVulnerabilityAlertsEnabled"] = rp.DependabotEnabled
				n["vulnerabilityAlerts"] = alertConn(rp)
			case "AttestMergedPulls":
				n["pullRequests"] = pullConn(org, rp)
			}
			nodes = append(nodes, n)
		}
		writeData(w, map[string]any{"organization": map[string]any{"repositories": map[string]any{
			"pageInfo": pageInfo(hi < len(repos), hi), "nodes": nodes}}})
	case "AttestOrgSAML":
		org := s.org(str("org"))
		if org == nil {
			gqlNotFound(w, "organization", "Could not resolve to an Organization with the login of '"+str("org")+"'.")
			return
		}
		var idp any
		if org.SAMLSSO && s.ViewerIsOwner {
			idp = map[string]any{"ssoUrl": "https://idp.example/saml/" + org.Login + "/sso"}
		}
		writeData(w, map[string]any{"organization": map[string]any{"viewerCanAdminister": s.ViewerIsOwner, "samlIdentityProvider": idp}})
	case "AttestReviews":
		data := map[string]any{}
		for i := 0; ; i++ {
			owner, ok := req.Variables[fmt.Sprint("o", i)].(string)
			if !ok {
				break
			}
			num, _ := req.Variables[fmt.Sprint("k", i)].(float64)
			pr := s.pull(owner, str(fmt.Sprint("n", i)), int(num))
			if pr == nil {
				data[fmt.Sprint("p", i)] = nil
				continue
			}
			data[fmt.Sprint("p", i)] = map[string]any{"pullRequest": map[string]any{"reviews": reviewConn(pr)}}
		}
		writeData(w, data)
	default:
		// The follow-up queries (AttestRulesets, AttestDeployKeys,
		// AttestMoreDependabotAlerts, AttestMoreMergedPulls,
		// AttestMoreReviews) are never needed: every
		// nested connection fits its first page here.
		s.Refuse(w, r, "githubfake")
	}
}

func (s *State) pull(owner, repo string, number int) *Pull {
	org := s.org(owner)
	if org == nil {
		return nil
	}
	i := slices.IndexFunc(org.Repos, func(x *Repo) bool { return x.Name == repo })
	if i < 0 {
		return nil
	}
	j := slices.IndexFunc(org.Repos[i].Pulls, func(p Pull) bool { return p.Number == number })
	if j < 0 {
		return nil
	}
	return &org.Repos[i].Pulls[j]
}

// offset decodes a cursor made by pageInfo.
func offset(cursor string) int {
	b, err := base64.StdEncoding.DecodeString(cursor)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(string(b), "cursor:"))
	return n
}

func pageInfo(more bool, end int) map[string]any {
	var cursor any
	if end > 0 {
		cursor = base64.StdEncoding.EncodeToString([]byte("cursor:" + strconv.Itoa(end)))
	}
	return map[string]any{"hasNextPage": more, "endCursor": cursor}
}

func writeData(w http.ResponseWriter, data any) {
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

func gqlNotFound(w http.ResponseWriter, field, msg string) {
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{field: nil},
		"errors": []any{map[string]any{"type": "NOT_FOUND", "path": []any{field}, "locations": []any{map[string]any{"line": 2, "column": 3}}, "message": msg}}})
}

func repoNode(org *Org, rp *Repo) map[string]any {
	n := map[string]any{"name": rp.Name, "nameWithOwner": org.Login + "/" + rp.Name, "url": "https://github.com/" + org.Login + "/" + rp.Name,
		"visibility": strings.ToUpper(cmpOr(rp.Visibility, "public")), "isArchived": rp.Archived, "isFork": false, "defaultBranchRef": nil}
	if rp.DefaultBranch != "" {
		n["defaultBranchRef"] = map[string]any{"name": rp.DefaultBranch}
	}
	return n
}

func protectionNode(p *Protection) any {
	if p == nil {
		return nil
	}
	return map[string]any{"requiresApprovingReviews": p.RequiredReviews > 0, "requiredApprovingReviewCount": p.RequiredReviews,
		"dismissesStaleReviews": p.DismissStale, "requiresStatusChecks": p.StatusChecks, "isAdminEnforced": p.EnforceAdmins,
		"allowsForcePushes": p.AllowForcePushes, "requiresCodeOwnerReviews": p.CodeOwnerReviews}
}

func rulesetConn(rp *Repo) map[string]any {
	nodes := []any{}
	for _, rs := range rp.Rulesets {
		var rules []any
		if rs.RequiredReviews >= 0 {
			rules = append(rules, map[string]any{"type": "PULL_REQUEST", "parameters": map[string]any{
				"requiredApprovingReviewCount": rs.RequiredReviews, "dismissStaleReviewsOnPush": rs.DismissStale, "requireCodeOwnerReview": rs.CodeOwnerReview}})
		}
		if rs.StatusChecks {
			rules = append(rules, map[string]any{"type": "REQUIRED_STATUS_CHECKS", "parameters": map[string]any{}})
		}
		if rs.NonFastForward {
			rules = append(rules, map[string]any{"type": "NON_FAST_FORWARD", "parameters": nil})
		}
		nodes = append(nodes, map[string]any{"enforcement": "ACTIVE", "target": "BRANCH",
			"conditions":   map[string]any{"refName": map[string]any{"include": []any{"~DEFAULT_BRANCH"}, "exclude": []any{}}, "repositoryName": nil},
			"bypassActors": map[string]any{"totalCount": rs.BypassActorCount},
			"rules":        map[string]any{"nodes": rules}})
	}
	return map[string]any{"pageInfo": pageInfo(false, len(nodes)), "nodes": nodes}
}

func deployKeyConn(rp *Repo) map[string]any {
	nodes := []any{}
	for _, k := range rp.DeployKeys {
		nodes = append(nodes, map[string]any{"title": k.Title, "readOnly": k.ReadOnly})
	}
	return map[string]any{"pageInfo": pageInfo(false, len(nodes)), "nodes": nodes}
}

func alertConn(rp *Repo) map[string]any {
	nodes := []any{}
	if rp.DependabotEnabled {
		for _, a := range rp.DependabotAlerts {
			if a.State != "open" {
				continue
			}
			sev := strings.ToUpper(a.Severity)
			if sev == "MEDIUM" {
				sev = "MODERATE"
			}
			nodes = append(nodes, map[string]any{"createdAt": a.CreatedAt.UTC().Format(time.RFC3339), "securityVulnerability": map[string]any{"severity": sev}})
		}
	}
	return map[string]any{"pageInfo": pageInfo(false, len(nodes)), "nodes": nodes}
}

func pullConn(org *Org, rp *Repo) map[string]any {
	pulls := slices.Clone(rp.Pulls)
	slices.SortFunc(pulls, func(a, b Pull) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	nodes := []any{}
	for _, pr := range pulls {
		if pr.MergedAt.IsZero() {
			continue
		}
		nodes = append(nodes, map[string]any{"number": pr.Number, "url": fmt.Sprintf("https://github.com/%s/%s/pull/%d", org.Login, rp.Name, pr.Number),
			"mergedAt": pr.MergedAt.UTC().Format(time.RFC3339), "updatedAt": pr.UpdatedAt.UTC().Format(time.RFC3339),
			"baseRefName": cmpOr(pr.Base, rp.DefaultBranch), "author": map[string]any{"login": pr.Author}})
	}
	return map[string]any{"pageInfo": pageInfo(false, len(nodes)), "nodes": nodes}
}

func reviewConn(pr *Pull) map[string]any {
	nodes := []any{}
	for _, rv := range pr.Reviews {
		nodes = append(nodes, map[string]any{"author": map[string]any{"login": rv.User}, "state": rv.State})
	}
	return map[string]any{"pageInfo": pageInfo(false, len(nodes)), "nodes": nodes}
}
