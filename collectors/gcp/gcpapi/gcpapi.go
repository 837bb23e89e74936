// Package gcpapi holds what the Google Cloud and Google Workspace sources
// share: error classification for the google.golang.org/api REST clients, a
// bounded retry of rate-limited calls, and naming of API operations for raw
// evidence.
package gcpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/api/googleapi"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// rateReasons are googleapi error reasons that mean the caller was rate
// limited or ran out of quota, even when the status is 403.
var rateReasons = []string{"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "dailyLimitExceeded", "RATE_LIMIT_EXCEEDED", "RESOURCE_EXHAUSTED"}

// Classify converts err of operation op into a *collectors.APIError. perm
// is the IAM permission or OAuth scope the operation needs. Context errors
// stay in the chain so errors.Is(err, context.Canceled) holds.
func Classify(err error, op, perm string) error {
	if err == nil {
		return nil
	}
	var api *collectors.APIError
	if errors.As(err, &api) {
		return err
	}
	kind := evidence.Errored
	var ge *googleapi.Error
	var limit *collectors.ThrottledError
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		kind, perm = collectors.Classify(err), ""
	case errors.As(err, &limit):
		kind, perm = evidence.Throttled, ""
	case errors.As(err, &ge) && (ge.Code == http.StatusTooManyRequests || slices.ContainsFunc(ge.Errors, func(e googleapi.ErrorItem) bool { return slices.Contains(rateReasons, e.Reason) })):
		kind, perm = evidence.Throttled, ""
	case errors.As(err, &ge) && (ge.Code == http.StatusForbidden || ge.Code == http.StatusUnauthorized):
		kind = evidence.Denied
	default:
		perm = ""
	}
	return &collectors.APIError{Kind: kind, Operation: op, Permission: perm, Err: err}
}

// NotFound reports whether err is an HTTP 404 from a Google API.
func NotFound(err error) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == http.StatusNotFound
}

// Canceled reports whether err is a cancellation or deadline.
func Canceled(err error) bool {
	return collectors.Stopped(err)
}

// Client returns the HTTP client of a Google source: base (nil means a
// transport with attest's dial, TLS handshake and response header
// deadlines) with a deadline of its own on every attempt (callTimeout, or
// collectors.DefaultTimeouts.Call when 0), rate limits waited out between
// attempts by Retry, and raw evidence captured under op.
func Client(base http.RoundTripper, callTimeout time.Duration, retries int, maxWait time.Duration, op collectors.OperationFunc) *http.Client {
	timeouts := collectors.DefaultTimeouts.WithCall(callTimeout)
	if base == nil {
		base = collectors.BaseTransport(timeouts)
	}
	rt := Retry(collectors.Deadline(base, timeouts.Call), retries, maxWait)
	return &http.Client{Transport: collectors.Transport(rt, op)}
}

// Retry returns a RoundTripper that retries a request answered with 429,
// 503, or 403 with a rate-limit reason (rateLimitExceeded,
// userRateLimitExceeded), up to retries times, waiting Retry-After or an
// exponential backoff from one second, outside the deadline of each
// attempt. When the wait would exceed maxWait, or the retries run out, a
// rate-limited request ends with a *collectors.ThrottledError naming the
// limit, and a 503 with the response. Only requests without a body, or
// with a body it can replay (GetBody), are retried.
func Retry(base http.RoundTripper, retries int, maxWait time.Duration) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &retry{base: base, policy: collectors.RetryPolicy{Retries: retries, MaxWait: maxWait, Backoff: time.Second}}
}

type retry struct {
	base   http.RoundTripper
	policy collectors.RetryPolicy
}

// retryReasons are the rateReasons worth waiting for: per-minute limits,
// not daily quotas.
var retryReasons = []string{"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"}

// limitOf reports whether resp is a rate-limit answer and names it. It
// reads the body of a 403 or 429 only, and puts it back.
func limitOf(resp *http.Response) (string, bool) {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusForbidden {
		return "", false
	}
	var body []byte
	if resp.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	for _, r := range retryReasons {
		if bytes.Contains(body, []byte(`"`+r+`"`)) {
			return "Google API rate limit (" + r + ")", true
		}
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return "Google API rate limit (HTTP 429)", true
	}
	return "", false
}

func (t *retry) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		resp, err := t.base.RoundTrip(req)
		if err != nil {
			return resp, err
		}
		limit, limited := limitOf(resp)
		if !limited && resp.StatusCode != http.StatusServiceUnavailable {
			return resp, nil
		}
		asked := time.Duration(-1)
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
			asked = time.Duration(s) * time.Second
		}
		wait, ok := t.policy.Wait(attempt, asked)
		if !ok || (req.Body != nil && req.GetBody == nil) {
			if !limited {
				return resp, nil
			}
			_ = resp.Body.Close()
			return nil, &collectors.ThrottledError{Limit: limit, Wait: max(wait, asked, 0), MaxWait: t.policy.MaxWait, Status: resp.StatusCode}
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if err := t.policy.Pause(req.Context(), wait); err != nil {
			return nil, err
		}
		if req, err = collectors.Resend(req); err != nil {
			return nil, err
		}
	}
}

// An Op names the API operation of requests whose method matches and whose
// path matches Path.
type Op struct {
	Method string
	Path   *regexp.Regexp
	Name   string
}

// Operations returns an OperationFunc naming requests by the first matching
// op, or by method and path when none matches. OAuth token exchanges are
// never kept.
func Operations(ops ...Op) collectors.OperationFunc {
	return func(req *http.Request) (string, bool) {
		if strings.HasSuffix(req.URL.Path, "/token") || strings.Contains(req.URL.Host, "oauth2.") {
			return "oauth2.token", false
		}
		for _, op := range ops {
			if op.Method == req.Method && op.Path.MatchString(req.URL.Path) {
				return op.Name, true
			}
		}
		return req.Method + " " + req.URL.Path, true
	}
}

// Time normalises an RFC 3339 time to UTC with second precision, or returns
// "" for an empty string or the Unix epoch (Google's "never").
func Time(s string) string {
	if s == "" {
		return ""
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	if t.Unix() <= 0 {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
