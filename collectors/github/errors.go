package github

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	gh "github.com/google/go-github/v92/github"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// classify converts an error of operation op into a *collectors.APIError.
// perm is the permission the operation needs, used when GitHub does not name
// the missing one. Context cancellation and deadlines are kept in the chain
// so errors.Is(err, context.Canceled) holds.
func classify(err error, op, perm string) error {
	if err == nil {
		return nil
	}
	perm = strings.ReplaceAll(perm, "scope:", "")
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &collectors.APIError{Kind: collectors.Classify(err), Operation: op, Err: err}
	}
	if ae := (*collectors.APIError)(nil); errors.As(err, &ae) {
		return err // already classified, e.g. a GraphQL error entry
	}
	var (
		rl    *gh.RateLimitError
		abuse *gh.AbuseRateLimitError
		ours  *RateLimitedError
		limit *collectors.ThrottledError
		er    *gh.ErrorResponse
	)
	switch {
	case errors.As(err, &rl), errors.As(err, &abuse), errors.As(err, &ours), errors.As(err, &limit):
		return &collectors.APIError{Kind: evidence.Throttled, Operation: op, Err: err}
	case errors.As(err, &er) && er.Response != nil:
		switch er.Response.StatusCode {
		case http.StatusTooManyRequests:
			return &collectors.APIError{Kind: evidence.Throttled, Operation: op, Err: err}
		case http.StatusUnauthorized:
			return &collectors.APIError{Kind: evidence.Denied, Operation: op, Permission: perm, Err: err}
		case http.StatusForbidden:
			if p := missingPermission(er.Response.Header); p != "" {
				perm = p
			}
			return &collectors.APIError{Kind: evidence.Denied, Operation: op, Permission: perm, Err: err}
		}
	}
	return &collectors.APIError{Kind: evidence.Errored, Operation: op, Err: err}
}

// missingPermission names what a 403 response says was missing: classic
// token scopes accepted by the endpoint (X-Accepted-OAuth-Scopes) that the
// token lacks (X-OAuth-Scopes), or the fine-grained permission GitHub asks
// for (X-Accepted-GitHub-Permissions).
func missingPermission(h http.Header) string {
	if v := h.Get("X-Accepted-GitHub-Permissions"); v != "" {
		return v
	}
	accepted := splitScopes(h.Get("X-Accepted-OAuth-Scopes"))
	if len(accepted) == 0 {
		return ""
	}
	have := splitScopes(h.Get("X-OAuth-Scopes"))
	var missing []string
	for _, s := range accepted {
		if !slices.Contains(have, s) {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 {
		return strings.Join(accepted, " or ")
	}
	return strings.Join(missing, " or ")
}

func splitScopes(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// statusOf returns the HTTP status of a go-github error response, or 0.
func statusOf(err error) int {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

// featureDisabled reports whether err says a repository feature (code
// scanning, Dependabot alerts, secret scanning) is not enabled: GitHub
// answers 404, or 403 with a message saying the feature is disabled or needs
// Advanced Security. That is evidence, not a failure.
func featureDisabled(err error) bool {
	var er *gh.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return false
	}
	switch er.Response.StatusCode {
	case http.StatusNotFound:
		return true
	case http.StatusForbidden:
		m := strings.ToLower(er.Message)
		return strings.Contains(m, "disabled") || strings.Contains(m, "not enabled") || strings.Contains(m, "advanced security must be enabled")
	}
	return false
}
