package github

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
)

const (
	pathPulls   = "/repos/octo-org/Hello-World/pulls?direction=desc&sort=updated&state=closed"
	pathReviews = "/repos/octo-org/Hello-World/pulls/1347/reviews"
)

func pullAttrs(n int, author, merged string, extra map[string]any) map[string]any {
	a := map[string]any{"repository": "octo-org/Hello-World", "number": n, "author": author, "base": "master", "merged_at": merged}
	for k, v := range extra {
		a[k] = v
	}
	return a
}

func pullRes(typ string, n int, author, merged string, extra map[string]any, gaps ...evidence.Gap) evidence.Resource {
	return evidence.Resource{Type: typ, ID: "https://github.com/octo-org/Hello-World/pull/" + itoa(n), Name: "octo-org/Hello-World#" + itoa(n),
		Account: "octo-org", Attributes: pullAttrs(n, author, merged, extra), Gaps: gaps}
}

func TestReviewCollector(t *testing.T) {
	t.Parallel()
	blockReply, started := blocking()
	const merged = "2011-01-26T19:01:12Z"
	tests := []struct {
		name       string
		fx         fixtures
		mod        func(*Config)
		started    chan struct{}
		wantErr    evidence.FailureKind
		wantPop    []evidence.Resource
		wantSample []evidence.Resource
		wantFail   []evidence.FailureKind
	}{
		{name: "happy: approved by another user", fx: fixtures{
			pathRepos:   {Body: "repos/list_org.json"},
			pathPulls:   {Body: "pulls/list.json"},
			pathReviews: {Body: "pulls/reviews.json"},
		}, wantPop: []evidence.Resource{pullRes(typePull, 1347, "octocat", merged, map[string]any{"sampled": true})},
			wantSample: []evidence.Resource{pullRes(typeReview, 1347, "octocat", merged, map[string]any{"approvals_by_others": 1, "approved_by_other": true})}},
		{name: "self-approval does not count", fx: fixtures{
			pathRepos:   {Body: "repos/list_org.json"},
			pathPulls:   {Body: "pulls/list.json"},
			pathReviews: {Body: "pulls/reviews_self.json"},
		}, wantPop: []evidence.Resource{pullRes(typePull, 1347, "octocat", merged, map[string]any{"sampled": true})},
			wantSample: []evidence.Resource{pullRes(typeReview, 1347, "octocat", merged, map[string]any{"approvals_by_others": 0, "approved_by_other": false})}},
		{name: "two pages, sample of one", mod: func(c *Config) { c.ReviewSampleSize = 1 }, fx: fixtures{
			pathRepos: {Body: "repos/list_org.json"},
			pathPulls: {Body: `[{"number":1400,"html_url":"https://github.com/octo-org/Hello-World/pull/1400","user":{"login":"hubot"},"base":{"ref":"master"},` +
				`"updated_at":"2011-01-30T00:00:00Z","merged_at":"2011-01-30T00:00:00Z"}]`, Header: next("/repos/octo-org/Hello-World/pulls")},
			"/repos/octo-org/Hello-World/pulls?direction=desc&page=2&sort=updated&state=closed": {Body: "pulls/list.json"},
			// The sample is the smallest SHA-256 of the pull request URLs: #1347.
			pathReviews: {Body: "pulls/reviews.json"},
		}, wantPop: []evidence.Resource{
			pullRes(typePull, 1347, "octocat", merged, map[string]any{"sampled": true}),
			pullRes(typePull, 1400, "hubot", "2011-01-30T00:00:00Z", map[string]any{"sampled": false}),
		}, wantSample: []evidence.Resource{pullRes(typeReview, 1347, "octocat", merged, map[string]any{"approvals_by_others": 1, "approved_by_other": true})}},
		{name: "empty", fx: fixtures{pathRepos: {Body: "repos/list_org.json"}, pathPulls: {Body: "empty_list.json"}}},
		{name: "absent: pull request not found", fx: fixtures{
			pathRepos:   {Body: "repos/list_org.json"},
			pathPulls:   {Body: "pulls/list.json"},
			pathReviews: {Status: 404, Body: `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`},
		}, wantPop: []evidence.Resource{pullRes(typePull, 1347, "octocat", merged, map[string]any{"sampled": true})},
			wantSample: []evidence.Resource{pullRes(typeReview, 1347, "octocat", merged, nil,
				evidence.Gap{Attribute: "approvals_by_others", Kind: evidence.Errored, Operation: opListReviews},
				evidence.Gap{Attribute: "approved_by_other", Kind: evidence.Errored, Operation: opListReviews})},
			wantFail: []evidence.FailureKind{evidence.Errored}},
		{name: "denied reviews", fx: fixtures{
			pathRepos:   {Body: "repos/list_org.json"},
			pathPulls:   {Body: "pulls/list.json"},
			pathReviews: {Status: 403, Body: "errors/forbidden.json", Header: map[string]string{"X-Accepted-GitHub-Permissions": "pull_requests=read"}},
		}, wantPop: []evidence.Resource{pullRes(typePull, 1347, "octocat", merged, map[string]any{"sampled": true})},
			wantSample: []evidence.Resource{pullRes(typeReview, 1347, "octocat", merged, nil,
				evidence.Gap{Attribute: "approvals_by_others", Kind: evidence.Denied, Operation: opListReviews, Permission: "pull_requests=read"},
				evidence.Gap{Attribute: "approved_by_other", Kind: evidence.Denied, Operation: opListReviews, Permission: "pull_requests=read"})},
			wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "rate limited listing", fx: fixtures{pathRepos: {Body: "repos/list_org.json"}, pathPulls: rateLimited},
			wantFail: []evidence.FailureKind{evidence.Throttled}},
		{name: "cancelled", fx: fixtures{pathRepos: {Body: "repos/list_org.json"}, pathPulls: blockReply}, started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.fx)
			s, err := run(t, testSource(srv, tt.mod), "github.reviews", tt.started)
			if tt.wantErr != "" {
				if err == nil || kindOf(err) != tt.wantErr {
					t.Fatalf("err = %v (%s), want kind %s", err, kindOf(err), tt.wantErr)
				}
				if tt.wantErr == evidence.Cancelled && !errors.Is(err, context.Canceled) {
					t.Fatalf("err = %v, want context.Canceled in chain", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if diff := cmp.Diff(tt.wantPop, s.ByType(typePull)); diff != "" {
				t.Errorf("population (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantSample, s.ByType(typeReview)); diff != "" {
				t.Errorf("sample (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantFail, s.Kinds()); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}
