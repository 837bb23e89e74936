package github

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/attestdev/attest/collectors"
)

// routes are the REST API paths attest calls, in the notation of the GitHub
// REST API docs. They name the raw responses kept as evidence.
var routes = []string{
	"/app/installations/{installation_id}/access_tokens",
	"/graphql",
	"/orgs/{org}",
	"/orgs/{org}/actions/permissions",
	"/orgs/{org}/actions/permissions/workflow",
	"/orgs/{org}/members",
	"/orgs/{org}/outside_collaborators",
	"/orgs/{org}/personal-access-tokens",
	"/orgs/{org}/repos",
	"/orgs/{org}/secret-scanning/alerts",
	"/repos/{owner}/{repo}/actions/workflows",
	"/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs",
	"/repos/{owner}/{repo}/branches/{branch}/protection",
	"/repos/{owner}/{repo}/code-scanning/analyses",
	"/repos/{owner}/{repo}/dependabot/alerts",
	"/repos/{owner}/{repo}/pulls",
	"/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
	"/repos/{owner}/{repo}/rules/branches/{branch}",
	"/repos/{owner}/{repo}/rulesets/{ruleset_id}",
	"/repos/{owner}/{repo}/secret-scanning/alerts",
}

// operation names the API operation of req, e.g.
// "GET /repos/{owner}/{repo}/dependabot/alerts". It returns keep=false for the
// installation token exchange, whose response is a credential.
func operation(req *http.Request) (string, bool) {
	route := routeOf(req.URL.EscapedPath())
	if strings.HasPrefix(route, "/app/installations/") {
		return req.Method + " " + route, false
	}
	return req.Method + " " + route, true
}

// routeOf returns the route template matching the escaped path p (with any
// GitHub Enterprise prefix such as /api/v3), or p itself.
func routeOf(p string) string {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	for _, r := range routes {
		rs := strings.Split(strings.Trim(r, "/"), "/")
		// Allow a prefix (e.g. /api/v3) before the route.
		for off := 0; off+len(rs) <= len(segs) && off <= 2; off++ {
			if off+len(rs) == len(segs) && matchSegs(rs, segs[off:]) {
				return r
			}
		}
	}
	return p
}

func matchSegs(tmpl, segs []string) bool {
	for i, t := range tmpl {
		if strings.HasPrefix(t, "{") {
			continue
		}
		if t != segs[i] {
			return false
		}
	}
	return true
}

// etagTransport makes conditional requests where they save calls: it
// remembers the ETag and body of each page of the organisation's repository
// list, which every repository collector reads, and revalidates with
// If-None-Match. GitHub does not count a 304 against the primary rate limit,
// so the list costs one full read per organisation and run. Other responses
// are read once per run and are not cached, to bound memory.
type etagTransport struct {
	base http.RoundTripper
	mu   sync.Mutex
	mem  map[string]cached
}

type cached struct {
	etag   string
	header http.Header
	body   []byte
}

func newETagTransport(base http.RoundTripper) *etagTransport {
	return &etagTransport{base: base, mem: map[string]cached{}}
}

// maxCached bounds the size of one cached body.
const maxCached = 4 << 20

func (t *etagTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || routeOf(req.URL.EscapedPath()) != "/orgs/{org}/repos" {
		return t.base.RoundTrip(req)
	}
	key := req.URL.String()
	t.mu.Lock()
	c, ok := t.mem[key]
	t.mu.Unlock()
	if ok {
		req = req.Clone(req.Context())
		req.Header.Set("If-None-Match", c.etag)
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if ok && resp.StatusCode == http.StatusNotModified {
		_ = resp.Body.Close()
		h := c.header.Clone()
		for _, k := range []string{"X-Ratelimit-Remaining", "X-Ratelimit-Reset", "X-Ratelimit-Limit"} {
			if v := resp.Header.Get(k); v != "" {
				h.Set(k, v)
			}
		}
		return &http.Response{
			Status: "200 OK", StatusCode: http.StatusOK, Proto: resp.Proto, ProtoMajor: resp.ProtoMajor, ProtoMinor: resp.ProtoMinor,
			Header: h, Body: io.NopCloser(bytes.NewReader(c.body)), ContentLength: int64(len(c.body)), Request: req,
		}, nil
	}
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || etag == "" || resp.Body == nil {
		return resp, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxCached+1))
	_ = resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("github: read %s: %w", req.URL.Path, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if len(body) <= maxCached {
		t.mu.Lock()
		t.mem[key] = cached{etag: etag, header: resp.Header.Clone(), body: body}
		t.mu.Unlock()
	}
	return resp, nil
}

// A RateLimitedError is returned by the transport, without calling the API,
// once a rate limit has been hit whose reset lies beyond the configured
// wait. Collection then stops quickly and the rest is recorded as throttled.
type RateLimitedError struct {
	Until time.Time
	// Limit names the limit that was hit.
	Limit string
}

func (e *RateLimitedError) Error() string {
	limit := e.Limit
	if limit == "" {
		limit = "rate limit"
	}
	return fmt.Sprintf("github: %s reached, limited until %s; stopped to keep the evidence collected so far", limit, e.Until.UTC().Format(time.RFC3339))
}

// The rate limits GitHub applies, as named in failures.
const (
	primaryLimit   = "GitHub primary rate limit"
	secondaryLimit = "GitHub secondary rate limit"
	graphQLLimit   = "GitHub GraphQL primary rate limit"
)

// rateLimitTransport honours GitHub's primary and secondary rate limits: it
// waits for a reset that is at most wait away and retries the request
// (reads only), outside the deadline of each attempt, which base applies.
// Otherwise it ends the request with a *collectors.ThrottledError naming
// the limit, and refuses further requests until the reset.
type rateLimitTransport struct {
	base   http.RoundTripper
	policy collectors.RetryPolicy

	mu      sync.Mutex
	blocked time.Time
	limit   string
}

func newRateLimitTransport(base http.RoundTripper, wait time.Duration) *rateLimitTransport {
	// GitHub asks for at least a minute after a secondary limit that names
	// no wait, and more with every repetition.
	return &rateLimitTransport{base: base, policy: collectors.RetryPolicy{Retries: 3, MaxWait: wait, Backoff: time.Minute}}
}

func (t *rateLimitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		t.mu.Lock()
		blocked, limit := t.blocked, t.limit
		t.mu.Unlock()
		if time.Now().Before(blocked) {
			return nil, &RateLimitedError{Until: blocked, Limit: limit}
		}
		resp, err := t.base.RoundTrip(req)
		if err != nil {
			return resp, err
		}
		asked, limit, limited := retryAfter(resp)
		if !limited {
			if asked, limited = graphQLLimited(req, resp); !limited {
				return resp, nil
			}
			limit = graphQLLimit
		}
		// Reads are retried: GETs, and GraphQL queries, which are POSTs
		// whose body can be sent again.
		retry := req.Method == http.MethodGet || (req.Method == http.MethodPost && req.GetBody != nil && strings.HasSuffix(req.URL.Path, "/graphql"))
		d, ok := t.policy.Wait(attempt, asked)
		if !retry || !ok {
			_ = resp.Body.Close()
			t.mu.Lock()
			wait := max(d, asked, 0)
			if until := time.Now().Add(wait); until.After(t.blocked) {
				t.blocked, t.limit = until, limit
			}
			t.mu.Unlock()
			return nil, &collectors.ThrottledError{Limit: limit, Wait: wait, MaxWait: t.policy.MaxWait, Status: resp.StatusCode}
		}
		_ = resp.Body.Close()
		if err := t.policy.Pause(req.Context(), d); err != nil {
			return nil, err
		}
		if req, err = collectors.Resend(req); err != nil {
			return nil, err
		}
	}
}

// retryAfter reports whether resp is a rate-limit response, which limit,
// and how long GitHub asks to wait (-1 when it names no wait): Retry-After
// for secondary limits, X-RateLimit-Reset when X-RateLimit-Remaining is 0
// for the primary one, and a 403 or 429 whose message names the secondary
// limit. It reads the body of a 403 or 429 only, and puts it back.
func retryAfter(resp *http.Response) (time.Duration, string, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, "", false
	}
	if v := resp.Header.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(v); err == nil {
			return time.Duration(s) * time.Second, secondaryLimit, true
		}
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if s, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Until(time.Unix(s, 0)), 0), primaryLimit, true
		}
		return time.Minute, primaryLimit, true
	}
	var body []byte
	if resp.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	if bytes.Contains(bytes.ToLower(body), []byte("secondary rate limit")) || resp.StatusCode == http.StatusTooManyRequests {
		return -1, secondaryLimit, true
	}
	return 0, "", false
}

// graphQLLimited reports whether resp answers a GraphQL query past the
// primary rate limit, which GitHub sends as HTTP 200 with an error of type
// RATE_LIMITED and X-RateLimit-Remaining 0, and how long to wait for the
// reset. It reads the body of such a response only, and puts it back.
func graphQLLimited(req *http.Request, resp *http.Response) (time.Duration, bool) {
	if resp.StatusCode != http.StatusOK || !strings.HasSuffix(req.URL.Path, "/graphql") || resp.Header.Get("X-RateLimit-Remaining") != "0" {
		return 0, false
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil || !bytes.Contains(body, []byte(`"RATE_LIMITED"`)) {
		return 0, false
	}
	if s, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
		return max(time.Until(time.Unix(s, 0)), 0), true
	}
	return time.Minute, true
}
