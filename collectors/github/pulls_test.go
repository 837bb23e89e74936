package github

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

const (
	gqlPulls   = "/graphql AttestMergedPulls"
	gqlReviews = "/graphql AttestReviews k0=1347 n0=Hello-World o0=octo-org"
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
	const perm = "repo or repository:pull_requests:read"
	reviewGaps := func(kind evidence.FailureKind, perm string) []evidence.Gap {
		return []evidence.Gap{{Attribute: "approvals_by_others", Kind: kind, Operation: opGraphQL, Permission: perm},
			{Attribute: "approved_by_other", Kind: kind, Operation: opGraphQL, Permission: perm}}
	}
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
			gqlPulls:   {Body: "graphql/pulls.json"},
			gqlReviews: {Body: "graphql/reviews.json"},
		}, wantPop: []evidence.Resource{pullRes(typePull, 1347, "octocat", merged, map[string]any{"sampled": true})},
			wantSample: []evidence.Resource{pullRes(typeReview, 1347, "octocat", merged, map[string]any{"approvals_by_others": 1, "approved_by_other": true})}},
		{name: "self-approval does not count", fx: fixtures{
			gqlPulls:   {Body: "graphql/pulls.json"},
			gqlReviews: {Body: "graphql/reviews_self.json"},
		}, wantPop: []evidence.Resource{pullRes(typePull, 1347, "octocat", merged, map[string]any{"sampled": true})},
			wantSample: []evidence.Resource{pullRes(typeReview, 1347, "octocat", merged, map[string]any{"approvals_by_others": 0, "approved_by_other": false})}},
		{name: "two pages, sample of one", mod: func(c *Config) { c.ReviewSampleSize = 1 }, fx: fixtures{
			gqlPulls: {Body: "graphql/pulls_page1.json"},
			"/graphql AttestMoreMergedPulls cursor=Y3Vyc29yOnYyOpHOAAAFeA== name=Hello-World owner=octo-org": {Body: "graphql/pulls_page2.json"},
			// The sample is the smallest SHA-256 of the pull request URLs: #1347.
			gqlReviews: {Body: "graphql/reviews.json"},
		}, wantPop: []evidence.Resource{
			pullRes(typePull, 1347, "octocat", merged, map[string]any{"sampled": true}),
			pullRes(typePull, 1400, "hubot", "2011-01-30T00:00:00Z", map[string]any{"sampled": false}),
		}, wantSample: []evidence.Resource{pullRes(typeReview, 1347, "octocat", merged, map[string]any{"approvals_by_others": 1, "approved_by_other": true})}},
		{name: "two pages of reviews: a later dismissal withdraws the approval", fx: fixtures{
			gqlPulls:   {Body: "graphql/pulls.json"},
			gqlReviews: {Body: "graphql/reviews_more.json"},
			"/graphql AttestMoreReviews cursor=Y3Vyc29yOnYyOpO0 name=Hello-World number=1347 owner=octo-org": {Body: "graphql/reviews_page2.json"},
		}, wantPop: []evidence.Resource{pullRes(typePull, 1347, "octocat", merged, map[string]any{"sampled": true})},
			wantSample: []evidence.Resource{pullRes(typeReview, 1347, "octocat", merged, map[string]any{"approvals_by_others": 0, "approved_by_other": false})}},
		{name: "empty", fx: fixtures{gqlPulls: {Body: "graphql/pulls_empty.json"}}},
		{name: "absent: pull request not found", fx: fixtures{
			gqlPulls:   {Body: "graphql/pulls.json"},
			gqlReviews: {Body: "graphql/reviews_not_found.json"},
		}, wantPop: []evidence.Resource{pullRes(typePull, 1347, "octocat", merged, map[string]any{"sampled": true})},
			wantSample: []evidence.Resource{pullRes(typeReview, 1347, "octocat", merged, nil, reviewGaps(evidence.Errored, "")...)},
			wantFail:   []evidence.FailureKind{evidence.Errored}},
		{name: "denied reviews", fx: fixtures{
			gqlPulls:   {Body: "graphql/pulls.json"},
			gqlReviews: {Body: "graphql/reviews_denied.json"},
		}, wantPop: []evidence.Resource{pullRes(typePull, 1347, "octocat", merged, map[string]any{"sampled": true})},
			wantSample: []evidence.Resource{pullRes(typeReview, 1347, "octocat", merged, nil, reviewGaps(evidence.Denied, perm)...)},
			wantFail:   []evidence.FailureKind{evidence.Denied}},
		{name: "rate limited listing", fx: fixtures{gqlPulls: rateLimited}, wantErr: evidence.Throttled},
		{name: "rate limited reviews", fx: fixtures{gqlPulls: {Body: "graphql/pulls.json"}, gqlReviews: secondaryLimited},
			wantPop:    []evidence.Resource{pullRes(typePull, 1347, "octocat", merged, map[string]any{"sampled": true})},
			wantSample: []evidence.Resource{pullRes(typeReview, 1347, "octocat", merged, nil, reviewGaps(evidence.Throttled, "")...)},
			wantFail:   []evidence.FailureKind{evidence.Throttled}},
		{name: "cancelled", fx: fixtures{gqlPulls: blockReply}, started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.fx)
			s, err := run(t, testSource(srv, tt.mod), "github.reviews", tt.started)
			if tt.wantErr != "" {
				apitest.WantKind(t, err, tt.wantErr)
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
