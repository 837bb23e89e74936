package gitlab

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/attestdev/attest/collectors"
)

// routes are the REST API paths attest calls (under /api/v4), in the
// notation of the GitLab API docs. They name the raw responses kept as
// evidence. More specific routes come first.
var routes = []string{
	"/groups/{id}",
	"/groups/{id}/descendant_groups",
	"/groups/{id}/members",
	"/groups/{id}/projects",
	"/groups/{id}/merge_requests",
	"/groups/{id}/invitations",
	"/groups/{id}/audit_events",
	"/projects/{id}/protected_branches",
	"/projects/{id}/approvals",
	"/projects/{id}/approval_rules",
	"/projects/{id}/push_rule",
	"/projects/{id}/security_settings",
	"/projects/{id}/deploy_keys",
	"/projects/{id}/access_tokens",
	"/projects/{id}/merge_requests/{merge_request_iid}/approvals",
	"/projects/{id}/pipelines/latest",
	"/projects/{id}/pipelines/{pipeline_id}/jobs",
}

// operation names the API operation of req, e.g.
// "GET /projects/{id}/approval_rules" or "POST /api/graphql". Every
// response is kept (GraphQL queries with the query itself).
func operation(req *http.Request) (string, bool) {
	return req.Method + " " + routeOf(req.URL.EscapedPath()), true
}

// routeOf returns the route template matching the escaped path p (after
// any prefix up to and including /api/v4), or p itself. Group and project
// paths are URL-encoded (acme%2Fbackend), so each is one segment.
func routeOf(p string) string {
	if strings.HasSuffix(p, "/api/graphql") {
		return "/api/graphql"
	}
	if i := strings.Index(p, "/api/v4/"); i >= 0 {
		p = p[i+len("/api/v4"):]
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	for _, r := range routes {
		rs := strings.Split(strings.Trim(r, "/"), "/")
		if len(rs) == len(segs) && matchSegs(rs, segs) {
			return r
		}
	}
	return p
}

func matchSegs(tmpl, segs []string) bool {
	for i, t := range tmpl {
		if strings.HasPrefix(t, "{") {
			if t == "{pipeline_id}" && segs[i] == "latest" {
				return false
			}
			continue
		}
		if t != segs[i] {
			return false
		}
	}
	return true
}

// rateLimitLabel names GitLab's limits in failures.
const rateLimitLabel = "GitLab rate limit"

// rateLimitTransport honours GitLab's rate limits: on 429 Too Many
// Requests it waits what Retry-After or RateLimit-Reset asks, when that is
// at most the configured wait, and sends the GET again, at most three
// times, outside each attempt's deadline and never past the context.
// Otherwise it ends the request with a *collectors.ThrottledError and
// refuses further requests until the reset, so that collection stops
// quickly and the rest is recorded as throttled.
type rateLimitTransport struct {
	base   http.RoundTripper
	policy collectors.RetryPolicy

	mu      sync.Mutex
	blocked time.Time
}

func newRateLimitTransport(base http.RoundTripper, wait time.Duration) *rateLimitTransport {
	return &rateLimitTransport{base: base, policy: collectors.RetryPolicy{Retries: 3, MaxWait: wait, Backoff: time.Second}}
}

func (t *rateLimitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		t.mu.Lock()
		blocked := t.blocked
		t.mu.Unlock()
		if wait := time.Until(blocked); wait > 0 {
			return nil, &collectors.ThrottledError{Limit: rateLimitLabel, Wait: wait, MaxWait: t.policy.MaxWait, Status: http.StatusTooManyRequests}
		}
		resp, err := t.base.RoundTrip(req)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests {
			return resp, err
		}
		asked := retryAfter(resp.Header)
		d, ok := t.policy.Wait(attempt, asked)
		_ = resp.Body.Close()
		// Reads are retried: GETs, and GraphQL queries, POSTs whose body
		// can be sent again.
		read := req.Method == http.MethodGet || (req.Method == http.MethodPost && req.GetBody != nil && strings.HasSuffix(req.URL.Path, "/api/graphql"))
		if !read || !ok {
			wait := max(d, asked, 0)
			t.mu.Lock()
			if until := time.Now().Add(wait); until.After(t.blocked) {
				t.blocked = until
			}
			t.mu.Unlock()
			return nil, &collectors.ThrottledError{Limit: rateLimitLabel, Wait: wait, MaxWait: t.policy.MaxWait, Status: resp.StatusCode}
		}
		if err := t.policy.Pause(req.Context(), d); err != nil {
			return nil, err
		}
		if req, err = collectors.Resend(req); err != nil {
			return nil, err
		}
	}
}

// retryAfter returns how long a 429 answer asks to wait: Retry-After
// (seconds), else RateLimit-Reset (a Unix time), else -1 (no wait named).
func retryAfter(h http.Header) time.Duration {
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
			return time.Duration(s) * time.Second
		}
	}
	if v := h.Get("RateLimit-Reset"); v != "" {
		if s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return max(time.Until(time.Unix(s, 0)), 0)
		}
	}
	return -1
}
