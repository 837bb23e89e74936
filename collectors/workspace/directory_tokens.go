package workspace

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	admin "google.golang.org/api/admin/directory/v1"
	"google.golang.org/api/googleapi"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// TokensCollector reads, for every active user of the Workspace customer,
// the OAuth tokens the user has granted to third-party applications, and
// emits one workspace.user_oauth_grants per active user.
//
// The Directory API lists tokens only per user (tokens.list), so this
// collector makes one users.list page per 500 users and then one
// tokens.list call per active user (suspended and archived users are left
// out: they cannot use their grants). That is the only API that shows the
// current grants; the Reports API shows authorisation events, not what is
// still granted.
//
// Admin SDK docs:
//   - https://developers.google.com/workspace/admin/directory/reference/rest/v1/users/list (directory.users.list)
//   - https://developers.google.com/workspace/admin/directory/reference/rest/v1/tokens/list (directory.tokens.list)
type TokensCollector struct{ src *Source }

const (
	opListTokens = "directory.tokens.list"
	typeGrants   = "workspace.user_oauth_grants"
	tokensID     = "workspace.tokens"
)

// scopeUserSecurity is the OAuth scope tokens.list needs. Google offers no
// read-only variant of it: it also allows revoking tokens.
const scopeUserSecurity = admin.AdminDirectoryUserSecurityScope

// Describe returns the collector's metadata.
func (c *TokensCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: tokensID, Version: 1, Source: SourceName,
		Title: "Google Workspace third-party OAuth grants per active user",
		ResourceTypes: []collectors.ResourceType{
			{Name: typeGrants, Doc: "The OAuth grants of an active Google Workspace user to third-party apps. ID is the user's immutable id with #oauth.", Attributes: []collectors.Attribute{
				{Name: "grants", Type: "int", Doc: "Number of OAuth tokens the user has granted."},
				{Name: "client_ids", Type: "list", Doc: "OAuth client IDs of the apps holding a token, sorted."},
				{Name: "apps", Type: "list", Doc: "Display names of those apps, sorted."},
				{Name: "scopes", Type: "list", Doc: "All scopes granted to those apps, sorted."},
			}},
		},
		Permissions:      []string{scopeUsers, scopeUserSecurity},
		CallsPerResource: 1,
	}
}

// Collect reads the grants of the active users of the customer
// target.Account.
func (c *TokensCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	svc, err := c.src.service(ctx)
	if err != nil {
		return err
	}
	var users []*admin.User
	err = svc.Users.List().Customer(target.Account).MaxResults(500).OrderBy("email").Projection("basic").
		Pages(ctx, func(p *admin.Users) error {
			for _, u := range p.Users {
				if !u.Suspended && !u.Archived {
					users = append(users, u)
				}
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("workspace %s %s: %w", opListUsers, target.Account, gcpapi.Classify(err, opListUsers, scopeUsers))
	}
	slices.SortFunc(users, func(a, b *admin.User) int { return cmp.Compare(a.PrimaryEmail, b.PrimaryEmail) })
	type result struct {
		res     *evidence.Resource
		fail    *evidence.Failure
		skipped bool
	}
	results := make([]result, len(users))
	err = collectors.ForEach(ctx, c.src.cfg.Concurrency, len(users), func(ctx context.Context, i int) {
		u := users[i]
		tctx, trace := collectors.WithTrace(ctx)
		res := &evidence.Resource{Type: typeGrants, ID: u.Id + "#oauth", Name: u.PrimaryEmail, Account: target.Account, Attributes: map[string]any{}}
		results[i].res = res
		toks, err := svc.Tokens.List(u.Id).Context(tctx).Do()
		res.Records = trace.Records()
		if err != nil {
			if isNotFound(err) {
				// The user was deleted after the user list was read.
				results[i].skipped = true
				return
			}
			err = gcpapi.Classify(err, opListTokens, scopeUserSecurity)
			for _, a := range []string{"grants", "client_ids", "apps", "scopes"} {
				res.Gaps = append(res.Gaps, collectors.GapOf(err, a))
			}
			f := collectors.FailureOf(err, res.ID)
			results[i].fail = &f
			return
		}
		grantAttrs(toks.Items, res.Attributes)
	})
	for i, r := range results {
		switch {
		case r.res == nil:
			continue
		case r.skipped:
			collectors.Skip(out, r.res.ID, "user "+users[i].PrimaryEmail+" was deleted during collection")
			continue
		}
		out.Emit(*r.res)
		if r.fail != nil {
			out.Fail(*r.fail)
		}
	}
	if err != nil {
		return gcpapi.Classify(err, opListTokens, "")
	}
	return nil
}

// grantAttrs summarises a user's tokens into attrs.
func grantAttrs(toks []*admin.Token, attrs map[string]any) {
	var ids, apps, scopes []string
	for _, t := range toks {
		ids = append(ids, t.ClientId)
		apps = append(apps, cmp.Or(t.DisplayText, t.ClientId))
		scopes = append(scopes, t.Scopes...)
	}
	attrs["grants"] = len(toks)
	attrs["client_ids"] = sortedList(ids)
	attrs["apps"] = sortedList(apps)
	attrs["scopes"] = sortedList(scopes)
}

// sortedList returns ss sorted and deduplicated as a list attribute.
func sortedList(ss []string) []any {
	slices.Sort(ss)
	ss = slices.Compact(ss)
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func isNotFound(err error) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == http.StatusNotFound
}
