package gitlab

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
	"github.com/attestdev/attest/internal/fake/gitlabfake"
)

// largeEstate is a top-level group with subgroups subgroups, each holding
// perGroup projects with a pipeline and two merged merge requests.
func largeEstate(subgroups, perGroup int) *gitlabfake.State {
	top := &gitlabfake.Group{ID: 1, Path: "big", Visibility: "private", Require2FA: true, AuditEvents: []time.Time{fakeNow.Add(-24 * time.Hour)},
		Members: []gitlabfake.Member{{ID: 1, Username: "owner", AccessLevel: 50, TwoFactor: true}}}
	id := int64(1000)
	for g := range subgroups {
		sub := &gitlabfake.Group{ID: int64(10 + g), Path: fmt.Sprintf("big/team-%02d", g), Visibility: "private",
			Members: []gitlabfake.Member{{ID: int64(100 + g), Username: fmt.Sprintf("dev%02d", g), AccessLevel: 30, TwoFactor: true}}}
		for range perGroup {
			id++
			sub.Projects = append(sub.Projects, &gitlabfake.Project{
				ID: id, Path: fmt.Sprintf("svc-%d", id), Visibility: "private", DefaultBranch: "main",
				Protected:     []gitlabfake.ProtectedBranch{{Name: "main", PushLevels: []int{40}, MergeLevels: []int{40}}},
				Rules:         []gitlabfake.ApprovalRule{{ID: id, Name: "All", Required: 1}},
				MergeRequests: []gitlabfake.MergeRequest{{IID: 1, Author: "a", MergedAt: fakeNow.Add(-24 * time.Hour), ApprovedBy: []string{"b"}}, {IID: 2, Author: "b", MergedAt: fakeNow.Add(-48 * time.Hour), ApprovedBy: []string{"a"}}},
				Pipeline:      &gitlabfake.Pipeline{ID: id, Status: "success", CreatedAt: fakeNow.Add(-time.Hour), Jobs: []gitlabfake.Job{{Name: "semgrep-sast", Status: "success", FinishedAt: fakeNow, Artifacts: []string{"sast"}}}},
			})
		}
		top.Subgroups = append(top.Subgroups, sub)
	}
	return &gitlabfake.State{ViewerIsOwner: true, Ultimate: true, Groups: []*gitlabfake.Group{top}}
}

// counting counts requests by route.
type counting struct {
	next http.Handler
	mu   sync.Mutex
	n    map[string]int
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, _ := operation(r)
	c.mu.Lock()
	c.n[op]++
	c.mu.Unlock()
	c.next.ServeHTTP(w, r)
}

func collectAll(tb testing.TB, st *gitlabfake.State) map[string]int {
	tb.Helper()
	st.OnUnexpected = tb.Errorf
	cnt := &counting{next: gitlabfake.NewHandler(st), n: map[string]int{}}
	srv := httptest.NewServer(cnt)
	defer srv.Close()
	zero := 0
	src := NewSource(Config{Groups: []string{"big"}, BaseURL: srv.URL, Token: "x", HTTPClient: srv.Client(), MaxRateLimitWaitSeconds: &zero, Now: func() time.Time { return fakeNow }})
	for _, c := range src.Collectors() {
		s := &apitest.Sink{}
		if err := c.Collect(tb.Context(), evidence.Target{Source: SourceName, Account: "big"}, s); err != nil || len(s.Failures) > 0 {
			tb.Fatalf("%s: %v %v", c.Describe().ID, err, s.Failures)
		}
	}
	return cnt.n
}

// TestCallBudget checks the calls of a collection of 10 subgroups × 25
// projects against what the controls need, each from the cheapest API
// that answers it exactly:
//   - GL-GRP-001/002/003: the group, its descendants, one member list per group;
//   - GL-GRP-004: one invitation list per group (no endpoint lists a
//     hierarchy's invitations at once);
//   - GL-AUDIT-001: one page of the top-level group's audit events (its
//     newest event is of the last 30 days);
//   - GL-REPO-001, GL-MR-001, GL-SECRET-001, GL-CRED-001: per project the
//     protected branches, approval settings, approval rules, push rule,
//     security settings, deploy keys and access tokens, REST only (GraphQL
//     has no push rule prevent_secrets, deploy keys or project access
//     tokens; see docs/scale.md);
//   - GL-SAST-001, GL-DEP-001: the head commit's newest default-branch pipeline and its
//     jobs: one GraphQL query per scanBatch projects (GitLab's complexity
//     limit of 250 bounds the batch);
//   - GL-MR-002: one merge request listing per 100 and one approvals read
//     per sampled merge request;
//   - GL-VULN-001: one GraphQL query per 100 open vulnerabilities;
//   - one project listing per 100 projects for each of the three
//     project collectors.
func TestCallBudget(t *testing.T) {
	t.Parallel()
	const subgroups, perGroup = 10, 25
	n := subgroups * perGroup
	pages := func(items int) int { return (items + 99) / 100 }
	got := collectAll(t, largeEstate(subgroups, perGroup))
	want := map[string]int{
		"GET " + "/groups/{id}":                                           1,
		"GET /groups/{id}/descendant_groups":                              pages(subgroups),
		"GET /groups/{id}/members":                                        subgroups + 1,
		"GET /groups/{id}/invitations":                                    subgroups + 1,
		"GET /groups/{id}/audit_events":                                   1,
		"GET /groups/{id}/projects":                                       3 * pages(n),
		"POST /api/graphql":                                               1 + (n+scanBatch-1)/scanBatch,
		"GET /groups/{id}/merge_requests":                                 pages(2 * n),
		"GET /projects/{id}/merge_requests/{merge_request_iid}/approvals": 25,
		"GET /projects/{id}/protected_branches":                           n,
		"GET /projects/{id}/approvals":                                    n,
		"GET /projects/{id}/approval_rules":                               n,
		"GET /projects/{id}/security_settings":                            n,
		"GET /projects/{id}/push_rule":                                    n,
		"GET /projects/{id}/deploy_keys":                                  n,
		"GET /projects/{id}/access_tokens":                                n,
	}
	total := 0
	for op, w := range want {
		if got[op] != w {
			t.Errorf("%s: %d calls, want %d", op, got[op], w)
		}
		total += got[op]
	}
	if len(got) != len(want) {
		t.Errorf("routes %v", got)
	}
	t.Logf("%d projects: %d calls, %.2f per project", n, total, float64(total)/float64(n))
}

// BenchmarkCollectGitLab collects a group of 10 subgroups × 25 projects
// from the fake and reports the calls per project.
func BenchmarkCollectGitLab(b *testing.B) {
	st := largeEstate(10, 25)
	var total int
	for b.Loop() {
		total = 0
		for _, v := range collectAll(b, st) {
			total += v
		}
	}
	b.ReportMetric(float64(total)/250, "calls/project")
}
