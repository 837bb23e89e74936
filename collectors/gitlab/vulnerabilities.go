package gitlab

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// VulnerabilityCollector reads the open critical and high vulnerabilities
// of the group hierarchy in one paged GraphQL query per top-level group
// (instead of one REST call per project), and records per project how many
// are open and when the oldest was detected.
//
// GitLab API docs:
//   - https://docs.gitlab.com/api/graphql/reference/#groupvulnerabilities (Group.vulnerabilities; Ultimate)
//   - https://docs.gitlab.com/api/groups/#list-projects (GET /groups/:id/projects, include_subgroups=true)
//
// Vulnerability management is a GitLab Ultimate feature; where the instance
// or the token's role (Developer or higher) does not provide it, the
// attributes are gaps with a scope note, never "no vulnerabilities".
type VulnerabilityCollector struct{ src *Source }

const (
	opGraphQL           = "POST /api/graphql"
	typeVulnerabilities = "gitlab.project.vulnerabilities"
)

var vulnAttrs = []string{"vulnerabilities_open", "oldest_open_vulnerability_at"}

// vulnQuery reads a page of the group's open critical and high
// vulnerabilities with their project.
const vulnQuery = `query AttestVulnerabilities($fullPath: ID!, $after: String) {
  group(fullPath: $fullPath) {
    vulnerabilities(state: [DETECTED, CONFIRMED], severity: [CRITICAL, HIGH], first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { severity state detectedAt project { fullPath } }
    }
  }
}`

// Describe returns the collector's metadata.
func (c *VulnerabilityCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gitlab.vulnerabilities", Version: 1, Source: SourceName,
		Title: "GitLab open critical and high vulnerabilities per project (Ultimate)",
		ResourceTypes: []collectors.ResourceType{{Name: typeVulnerabilities, Doc: "A project's open critical and high vulnerabilities. ID is the project URL with #vulnerabilities.", Attributes: []collectors.Attribute{
			{Name: "vulnerabilities_open", Type: "int", Doc: "Critical and high vulnerabilities in state detected or confirmed."},
			{Name: "oldest_open_vulnerability_at", Type: "timestamp", Doc: "When the oldest of them was detected, or empty when there is none."},
		}}},
		Permissions: []string{scopeReadAPI, roleDeveloper, tierUltimate},
	}
}

type vulnPage struct {
	Data *struct {
		Group *struct {
			Vulnerabilities *struct {
				PageInfo struct {
					HasNextPage bool   `json:"hasNextPage"`
					EndCursor   string `json:"endCursor"`
				} `json:"pageInfo"`
				Nodes []struct {
					DetectedAt *time.Time `json:"detectedAt"`
					Project    *struct {
						FullPath string `json:"fullPath"`
					} `json:"project"`
				} `json:"nodes"`
			} `json:"vulnerabilities"`
		} `json:"group"`
	} `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

// errNoVulnerabilities says the instance or role does not provide the
// group's vulnerabilities.
var errNoVulnerabilities = errors.New("the group's vulnerabilities are not available (GitLab Ultimate and the Developer role are needed)")

// openVulnerabilities returns the detection times of the open critical and
// high vulnerabilities by project full path.
func openVulnerabilities(ctx context.Context, c *gl.Client, group string) (map[string][]time.Time, error) {
	out := map[string][]time.Time{}
	var after any
	for range 10000 {
		var page vulnPage
		_, err := c.GraphQL.Do(gl.GraphQLQuery{Query: vulnQuery, Variables: map[string]any{"fullPath": group, "after": after}}, &page, gl.WithContext(ctx))
		if gre := (*gl.GraphQLResponseError)(nil); errors.As(err, &gre) && gre.Err != nil {
			err = gre.Err // the HTTP error, for its status
		}
		if err != nil {
			return nil, err
		}
		if len(page.Errors) > 0 {
			msgs := make([]string, len(page.Errors))
			for i, e := range page.Errors {
				msgs[i] = e.Message
			}
			return nil, fmt.Errorf("%w: %s", errNoVulnerabilities, strings.Join(msgs, "; "))
		}
		if page.Data == nil || page.Data.Group == nil || page.Data.Group.Vulnerabilities == nil {
			return nil, errNoVulnerabilities
		}
		v := page.Data.Group.Vulnerabilities
		for _, n := range v.Nodes {
			if n.Project != nil && n.DetectedAt != nil {
				out[n.Project.FullPath] = append(out[n.Project.FullPath], *n.DetectedAt)
			}
		}
		if !v.PageInfo.HasNextPage || v.PageInfo.EndCursor == "" {
			return out, nil
		}
		after = v.PageInfo.EndCursor
	}
	return nil, errors.New("gitlab graphql: more than 10000 pages of vulnerabilities")
}

// Collect reads the top-level group's vulnerabilities and its projects.
func (c *VulnerabilityCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := c.src.gl()
	if err != nil {
		return err
	}
	top := target.Account
	projects, err := c.src.listProjects(ctx, client, top, out)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	vulns, verr := openVulnerabilities(tctx, client, top)
	records := trace.Records()
	if verr != nil {
		if stopped(verr) {
			return classify(verr, opGraphQL, roleDeveloper)
		}
		if errors.Is(verr, errNoVulnerabilities) || tierMissing(verr) {
			collectors.Skip(out, "gitlab:"+top+"#vulnerabilities", "GitLab Ultimate vulnerability management not available to the token ("+verr.Error()+"): open vulnerabilities unknown")
		} else {
			verr = classify(verr, opGraphQL, roleDeveloper)
			out.Fail(collectors.FailureOf(verr, "gitlab:"+top+"#vulnerabilities"))
		}
	}
	for i, p := range projects {
		res := evidence.Resource{Type: typeVulnerabilities, ID: p.WebURL + "#vulnerabilities", Name: p.PathWithNamespace, Attributes: map[string]any{}}
		if i == 0 {
			res.Records = records
		}
		switch {
		case verr == nil:
			oldest := ""
			for _, t := range vulns[p.PathWithNamespace] {
				if s := ts(&t); oldest == "" || s < oldest {
					oldest = s
				}
			}
			res.Attributes["vulnerabilities_open"] = len(vulns[p.PathWithNamespace])
			res.Attributes["oldest_open_vulnerability_at"] = oldest
		case errors.Is(verr, errNoVulnerabilities) || tierMissing(verr):
			for _, a := range vulnAttrs {
				res.Gaps = append(res.Gaps, tierGap(a, opGraphQL, tierUltimate))
			}
		default:
			for _, a := range vulnAttrs {
				res.Gaps = append(res.Gaps, collectors.GapOf(verr, a))
			}
		}
		out.Emit(res)
	}
	return nil
}
