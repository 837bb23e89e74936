package github

import (
	"context"
	"fmt"
	"strconv"

	gh "github.com/google/go-github/v92/github"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// FineGrainedTokensCollector lists the fine-grained personal access tokens
// that have been granted access to the organisation's resources, with
// their expiry. GitHub answers this listing only to GitHub App
// installations (permission "Personal access tokens", organisation, read);
// a personal access token gets 403, which the run reports as denied, never
// as an organisation without tokens. The organisation's token policies
// (access restriction, approval, maximum lifetime) are set in the web UI
// and are not in the REST API.
//
// GitHub API docs:
//   - https://docs.github.com/rest/orgs/personal-access-tokens#list-fine-grained-personal-access-tokens-with-access-to-organization-resources (GET /orgs/{org}/personal-access-tokens)
type FineGrainedTokensCollector struct{ src *Source }

const (
	opListFineGrained  = "GET /orgs/{org}/personal-access-tokens"
	typeFineGrained    = "github.fine_grained_token"
	fineGrainedID      = "github.fine_grained_tokens"
	permOrgPATs        = "organization:personal_access_tokens:read"
	permFineGrainedPAT = permOrgPATs + " (GitHub App installations only)"
)

// Describe returns the collector's metadata.
func (c *FineGrainedTokensCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: fineGrainedID, Version: 1, Source: SourceName,
		Title: "Fine-grained personal access tokens with access to the organisation",
		ResourceTypes: []collectors.ResourceType{
			{Name: typeFineGrained, Doc: "A fine-grained personal access token's grant of access to the organisation. ID is https://github.com/<org>#fine-grained-token/<grant id>.", Attributes: []collectors.Attribute{
				{Name: "owner", Type: "string", Doc: "Login of the user who owns the token."},
				{Name: "token_name", Type: "string", Doc: "The token's name."},
				{Name: "expires", Type: "bool", Doc: "The token has an expiry date (token_expires_at is set)."},
				{Name: "token_expires_at", Type: "timestamp", Doc: `When the token expires; "" when it never does.`},
				{Name: "token_expired", Type: "bool", Doc: "The token has expired."},
				{Name: "access_granted_at", Type: "timestamp", Doc: "When the token was granted access to the organisation."},
				{Name: "token_last_used_at", Type: "timestamp", Doc: `When the token was last used; "" when never.`},
			}},
		},
		Permissions: []string{permOrgPATs},
	}
}

// Collect lists the tokens with access to the organisation target.Account.
func (c *FineGrainedTokensCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := c.src.gh()
	if err != nil {
		return err
	}
	org := target.Account
	tctx, trace := collectors.WithTrace(ctx)
	var rs []evidence.Resource
	opts := &gh.ListFineGrainedPATOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	for t, err := range client.Organizations.ListFineGrainedPersonalAccessTokensIter(tctx, org, opts) {
		if err != nil {
			return fmt.Errorf("github %s %s: %w", opListFineGrained, org, classify(err, opListFineGrained, permFineGrainedPAT))
		}
		rs = append(rs, evidence.Resource{Type: typeFineGrained, ID: "https://github.com/" + org + "#fine-grained-token/" + strconv.FormatInt(t.GetID(), 10),
			Name: t.GetOwner().GetLogin() + "/" + t.GetTokenName(), Account: org,
			Attributes: map[string]any{
				"owner": t.GetOwner().GetLogin(), "token_name": t.GetTokenName(),
				"expires": t.TokenExpiresAt != nil, "token_expires_at": ts(t.GetTokenExpiresAt()), "token_expired": t.GetTokenExpired(),
				"access_granted_at": ts(t.GetAccessGrantedAt()), "token_last_used_at": ts(t.GetTokenLastUsedAt()),
			}})
	}
	collectors.EmitSorted(out, rs, trace.Records())
	return nil
}
