// Package gcpapi holds what the Google Cloud and Google Workspace sources
// share: error classification for the google.golang.org/api REST clients, a
// bounded retry of rate-limited calls, and naming of API operations for raw
// evidence.
package gcpapi

import (
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
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		kind, perm = collectors.Classify(err), ""
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
	k := collectors.Classify(err)
	return k == evidence.Cancelled || k == evidence.Timeout
}

// Retry returns a RoundTripper that retries a request answered with 429 or
// 503 up to retries times, waiting Retry-After or an exponential backoff
// from one second. When the wait would exceed maxWait it returns the
// response, which the caller then reports as throttled. Only requests
// without a body, or with a body it can replay (GetBody), are retried.
func Retry(base http.RoundTripper, retries int, maxWait time.Duration) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &retry{base: base, retries: retries, maxWait: maxWait}
}

type retry struct {
	base    http.RoundTripper
	retries int
	maxWait time.Duration
}

func (t *retry) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		resp, err := t.base.RoundTrip(req)
		if err != nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) || attempt >= t.retries {
			return resp, err
		}
		wait := time.Second << attempt
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
			wait = time.Duration(s) * time.Second
		}
		if wait > t.maxWait || (req.Body != nil && req.GetBody == nil) {
			return resp, nil
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if err := collectors.Sleep(req.Context(), wait); err != nil {
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
