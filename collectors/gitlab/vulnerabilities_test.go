package gitlab

import (
	"encoding/json"
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
	"github.com/attestdev/attest/internal/fake/gitlabfake"
)

// graphQLKey names a GraphQL request by its cursor ("after=..." or "first").
func graphQLKey(body []byte) string {
	var req struct {
		Variables map[string]any `json:"variables"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return "invalid JSON"
	}
	if a, ok := req.Variables["after"].(string); ok {
		return "after=" + a
	}
	return "first"
}

func TestVulnerabilitiesTwoGraphQLPages(t *testing.T) {
	t.Parallel()
	srv := apitest.NewServer(t, fixtures{
		projectsKey:                          {Body: "projects.json"},
		"/api/graphql first":                 {Body: "vulnerabilities_page1.json"},
		"/api/graphql after=eyJpZCI6IjYzIn0": {Body: "vulnerabilities_page2.json"},
	}, apitest.Options{Ignore: []string{"per_page"}, FirstPage: "page", ReadPosts: []string{"/api/graphql"}, PostKey: graphQLKey})
	s, err := run(t, testSource(srv, nil), "gitlab.vulnerabilities", nil)
	if err != nil || len(s.Failures) != 0 {
		t.Fatalf("err %v failures %v", err, s.Failures)
	}
	rs := s.ByType(typeVulnerabilities)
	if len(rs) != 1 || rs[0].Attributes["vulnerabilities_open"] != 2 || rs[0].Attributes["oldest_open_vulnerability_at"] != "2010-12-01T10:00:00Z" {
		t.Fatalf("resources %v", rs)
	}
}

func TestVulnerabilitiesDenied(t *testing.T) {
	t.Parallel()
	srv := apitest.NewServer(t, fixtures{
		projectsKey:          {Body: "projects.json"},
		"/api/graphql first": forbidden,
	}, apitest.Options{Ignore: []string{"per_page"}, FirstPage: "page", ReadPosts: []string{"/api/graphql"}, PostKey: graphQLKey})
	s, err := run(t, testSource(srv, nil), "gitlab.vulnerabilities", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Failures) != 1 || s.Failures[0].Kind != evidence.Denied || s.Failures[0].Permission != "read_api scope and the Developer role" {
		t.Fatalf("failures %+v", s.Failures)
	}
	if r := s.ByType(typeVulnerabilities)[0]; !hasGap(r, "vulnerabilities_open", evidence.Denied) {
		t.Errorf("gaps %v", r.Gaps)
	}
}

func TestDemoVulnerabilities(t *testing.T) {
	t.Parallel()
	st := gitlabfake.DemoAt(fakeNow)
	st.MaxPerPage = 1
	s, err := runFake(t, fakeSource(t, st, nil), "gitlab.vulnerabilities")
	if err != nil || len(s.Failures) != 0 {
		t.Fatalf("err %v failures %v", err, s.Failures)
	}
	rs := s.ByType(typeVulnerabilities)
	if len(rs) != 3 {
		t.Fatalf("got %d", len(rs))
	}
	if web := byName(rs, "acme-eng/web"); web.Attributes["vulnerabilities_open"] != 1 || web.Attributes["oldest_open_vulnerability_at"] != "2025-11-17T00:00:00Z" {
		t.Errorf("web = %v", web.Attributes)
	}
	if api := byName(rs, "acme-eng/api"); api.Attributes["vulnerabilities_open"] != 0 || api.Attributes["oldest_open_vulnerability_at"] != "" {
		t.Errorf("api = %v", api.Attributes)
	}
}

func TestVulnerabilitiesBelowUltimateAreAScopeNote(t *testing.T) {
	t.Parallel()
	st := gitlabfake.DemoAt(fakeNow)
	st.Ultimate = false
	s, err := runFake(t, fakeSource(t, st, nil), "gitlab.vulnerabilities")
	if err != nil || len(s.Failures) != 0 {
		t.Fatalf("err %v failures %v", err, s.Failures)
	}
	for _, r := range s.ByType(typeVulnerabilities) {
		if _, ok := r.Attributes["vulnerabilities_open"]; ok || !hasGap(r, "vulnerabilities_open", evidence.Denied) {
			t.Errorf("%s: %v %v, want a tier gap", r.Name, r.Attributes, r.Gaps)
		}
	}
	found := false
	for _, sk := range s.Skipped {
		found = found || sk.Resource == "gitlab:acme-eng#vulnerabilities"
	}
	if !found {
		t.Errorf("no scope note: %+v", s.Skipped)
	}
}
