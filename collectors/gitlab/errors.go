package gitlab

import (
	"context"
	"errors"
	"net/http"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// Roles and scopes named in descriptors and denials. GitLab tokens carry
// scopes; what a token sees depends on its user's role in the group or
// project (https://docs.gitlab.com/user/permissions/).
const (
	scopeReadAPI   = "scope:read_api"
	roleOwner      = "role:Owner"
	roleMaintainer = "role:Maintainer"
	roleDeveloper  = "role:Developer"
	roleReporter   = "role:Reporter"
	tierPremium    = "tier:Premium"
	tierUltimate   = "tier:Ultimate"
)

// need renders a scope and a role as the permission a denial names.
func need(role string) string {
	return "read_api scope and the " + strings.TrimPrefix(role, "role:") + " role"
}

// classify converts an error of operation op into a *collectors.APIError.
// role is the role the operation needs, named on a denial. Context
// cancellation and deadlines stay in the chain.
func classify(err error, op, role string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &collectors.APIError{Kind: collectors.Classify(err), Operation: op, Err: err}
	}
	if ae := (*collectors.APIError)(nil); errors.As(err, &ae) {
		return err
	}
	var limit *collectors.ThrottledError
	if errors.As(err, &limit) {
		return &collectors.APIError{Kind: evidence.Throttled, Operation: op, Err: err}
	}
	switch statusOf(err) {
	case http.StatusTooManyRequests:
		return &collectors.APIError{Kind: evidence.Throttled, Operation: op, Err: err}
	case http.StatusUnauthorized:
		return &collectors.APIError{Kind: evidence.Denied, Operation: op, Permission: "a valid token with the read_api scope", Err: err}
	case http.StatusForbidden:
		return &collectors.APIError{Kind: evidence.Denied, Operation: op, Permission: need(role), Err: err}
	case http.StatusNotFound:
		return &collectors.APIError{Kind: evidence.Errored, Operation: op, Err: errors.Join(err, errNotFound)}
	}
	return &collectors.APIError{Kind: evidence.Errored, Operation: op, Err: err}
}

// errNotFound explains a 404: GitLab answers 404 both for what does not
// exist and for what the token may not see.
var errNotFound = errors.New("GitLab answered 404: the group or project does not exist or the token's user cannot see it")

// statusOf returns the HTTP status of a client error response, or 0.
func statusOf(err error) int {
	var er *gl.ErrorResponse
	if errors.As(err, &er) {
		if er.Response != nil {
			return er.Response.StatusCode
		}
		return er.StatusCode
	}
	return 0
}

// tierMissing reports whether err says the feature needs a paid tier: a
// 404 (GitLab Free and CE have no such endpoint), or a 403 whose message
// names a licence or tier. That is a scope note, not a failure of attest.
func tierMissing(err error) bool {
	switch statusOf(err) {
	case http.StatusNotFound:
		return true
	case http.StatusForbidden:
		var er *gl.ErrorResponse
		if errors.As(err, &er) {
			m := strings.ToLower(er.Message + string(er.Body))
			for _, w := range []string{"licens", "premium", "ultimate", "tier", "not available"} {
				if strings.Contains(m, w) {
					return true
				}
			}
		}
	}
	return false
}

// tierGap is the gap of an attribute the instance's tier does not provide.
func tierGap(attr, op, tier string) evidence.Gap {
	return evidence.Gap{
		Attribute: attr, Kind: evidence.Denied, Operation: op, Permission: "GitLab " + strings.TrimPrefix(tier, "tier:"),
		Message: "the instance does not provide this API (GitLab Free or Community Edition answers 404 or 403): the setting is unknown, not absent",
	}
}

func stopped(err error) bool { return collectors.Stopped(err) }
