package okta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// client is a read-only Okta management API client. It follows Link
// rel="next" pagination and waits out rate limits a bounded number of
// times.
type client struct {
	base    *url.URL
	token   string
	hc      *http.Client
	retries int
	maxWait time.Duration
	now     func() time.Time
}

// An apiError is an Okta error response
// (https://developer.okta.com/docs/reference/error-codes/).
type apiError struct {
	Status       int    `json:"-"`
	ErrorCode    string `json:"errorCode"`
	ErrorSummary string `json:"errorSummary"`
}

func (e *apiError) Error() string {
	if e.ErrorCode == "" {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.ErrorCode, e.ErrorSummary)
}

// list calls GET path with query q and every following page, and decodes
// each element of the JSON arrays into fn. Errors are classified as
// *collectors.APIError of operation op, needing perm.
func list[T any](ctx context.Context, c *client, op, perm, path string, q url.Values, fn func(T)) error {
	u := c.base.JoinPath(path)
	u.RawQuery = q.Encode()
	next := u.String()
	for next != "" {
		var page []T
		link, err := c.get(ctx, next, &page)
		if err != nil {
			return classify(err, op, perm)
		}
		for _, it := range page {
			fn(it)
		}
		next = c.nextPage(link)
	}
	return nil
}

// nextPage returns the rel="next" URL of a Link header, or "" when there is
// none or it points at another host (the token is never sent elsewhere).
func (c *client) nextPage(h []string) string {
	for _, v := range h {
		for _, part := range strings.Split(v, ",") {
			segs := strings.Split(part, ";")
			if len(segs) < 2 {
				continue
			}
			isNext := false
			for _, p := range segs[1:] {
				if strings.ReplaceAll(strings.TrimSpace(p), " ", "") == `rel="next"` {
					isNext = true
				}
			}
			if !isNext {
				continue
			}
			raw := strings.Trim(strings.TrimSpace(segs[0]), "<>")
			u, err := url.Parse(raw)
			if err != nil || u.Host != c.base.Host {
				return ""
			}
			return u.String()
		}
	}
	return ""
}

// get fetches u into v and returns the response's Link headers. It retries
// a 429 after x-rate-limit-reset when that is within maxWait.
func (c *client) get(ctx context.Context, u string, v any) ([]string, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", "SSWS "+c.token)
		req.Header.Set("User-Agent", "attest")
		resp, err := c.hc.Do(req)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			return nil, err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		_ = resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusOK {
			if err := json.Unmarshal(body, v); err != nil {
				return nil, fmt.Errorf("decode response: %w", err)
			}
			return resp.Header.Values("Link"), nil
		}
		e := &apiError{Status: resp.StatusCode}
		_ = json.Unmarshal(body, e)
		if resp.StatusCode != http.StatusTooManyRequests {
			return nil, e
		}
		// Wait for x-rate-limit-reset, between calls and so outside each
		// call's deadline, at most maxWait and retries times.
		asked := time.Duration(-1)
		if reset, err := strconv.ParseInt(resp.Header.Get("X-Rate-Limit-Reset"), 10, 64); err == nil {
			asked = max(time.Unix(reset, 0).Sub(c.now()), 0)
		}
		policy := collectors.RetryPolicy{Retries: c.retries, MaxWait: c.maxWait, Backoff: time.Second}
		wait, ok := policy.Wait(attempt, asked)
		if !ok {
			op, _ := operation(req)
			limit := "Okta rate limit of " + op
			if l := resp.Header.Get("X-Rate-Limit-Limit"); l != "" {
				limit = fmt.Sprintf("Okta rate limit of %s requests per minute for %s", l, op)
			}
			return nil, fmt.Errorf("%w: %w", &collectors.ThrottledError{Limit: limit, Wait: max(wait, asked, 0), MaxWait: c.maxWait, Status: resp.StatusCode}, e)
		}
		if err := policy.Pause(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// classify converts err of operation op into a *collectors.APIError. perm
// is the scope the operation needs. Context errors stay in the chain.
func classify(err error, op, perm string) error {
	if err == nil {
		return nil
	}
	kind := evidence.Errored
	var e *apiError
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		kind = collectors.Classify(err)
		perm = ""
	case errors.As(err, &e) && e.Status == http.StatusTooManyRequests:
		kind = evidence.Throttled
		perm = ""
	case errors.As(err, &e) && (e.Status == http.StatusForbidden || e.Status == http.StatusUnauthorized):
		kind = evidence.Denied
	default:
		perm = ""
	}
	return &collectors.APIError{Kind: kind, Operation: op, Permission: perm, Err: err}
}

// idSegment matches the Okta object ids in a path (users, policies,
// factors, roles), so that operations are named by their route.
var idSegment = regexp.MustCompile(`^/api/v1/(users|policies)/[^/]+`)

// operation names a request by method and route, e.g.
// "GET /api/v1/users/{id}/factors". No Okta request of attest exchanges
// credentials, so every response is kept.
func operation(req *http.Request) (string, bool) {
	p := idSegment.ReplaceAllString(req.URL.Path, "/api/v1/$1/{id}")
	return req.Method + " " + p, true
}
