package entra

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// client is a read-only Microsoft Graph client. It follows @odata.nextLink
// paging on the Graph host only, and waits out throttling (429, 503) a
// bounded number of times, as Retry-After asks.
type client struct {
	base    *url.URL // the Graph endpoint with /v1.0
	cred    azcore.TokenCredential
	scope   string
	hc      *http.Client
	retries int
	maxWait time.Duration
	// sleep waits between retries; nil means collectors.Sleep (tests).
	sleep func(ctx context.Context, d time.Duration) error
}

// A graphError is a Microsoft Graph error response
// (https://learn.microsoft.com/graph/errors): {"error":{"code","message"}}.
type graphError struct {
	Status  int
	Code    string
	Message string
}

func (e *graphError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

// licenceCode is the error code of Graph's 403 when the tenant lacks a
// Microsoft Entra ID P1/P2 licence for sign-in activity or reports
// ("Neither tenant is B2C or tenant doesn't have premium license").
const licenceCode = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"

// unlicensed reports whether err is Graph's 403 for a tenant without the
// premium licence a report or property needs.
func unlicensed(err error) bool {
	var e *graphError
	return errors.As(err, &e) && e.Status == http.StatusForbidden && e.Code == licenceCode
}

// A tokenError is a failure to get a Graph token from the credential.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return "get Microsoft Graph token: " + e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }

// page is one page of a Graph collection.
type page[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"@odata.nextLink"`
}

// list calls GET path (relative to the Graph version root) with query q and
// every following page, and passes each element to fn. Errors are
// classified as *collectors.APIError of operation op, needing perm.
func list[T any](ctx context.Context, c *client, op, perm, path string, q url.Values, fn func(T)) error {
	u := c.base.JoinPath(path)
	u.RawQuery = encodeQuery(q)
	next := u.String()
	for next != "" {
		var p page[T]
		if err := c.get(ctx, next, &p); err != nil {
			return classify(err, op, perm)
		}
		if p.Value == nil {
			return classify(errors.New("response has no value array: not a Graph collection"), op, "")
		}
		for _, it := range p.Value {
			fn(it)
		}
		n, err := c.nextPage(p.NextLink)
		if err != nil {
			return classify(err, op, "")
		}
		next = n
	}
	return nil
}

// getOne calls GET path and decodes the single entity it returns.
func getOne(ctx context.Context, c *client, op, perm, path string, v any) error {
	u := c.base.JoinPath(path)
	return classify(c.get(ctx, u.String(), v), op, perm)
}

// encodeQuery encodes q keeping the "$" of OData system query options,
// as Graph's own links do.
func encodeQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "%24", "$")
}

// nextPage checks an @odata.nextLink: it must point at the Graph host the
// source talks to, so that the token is never sent elsewhere. A link to
// another host is an error, never the end of the listing.
func (c *client) nextPage(link string) (string, error) {
	if link == "" {
		return "", nil
	}
	u, err := url.Parse(link)
	if err != nil || u.Host != c.base.Host || u.Scheme != c.base.Scheme {
		return "", fmt.Errorf("@odata.nextLink %q does not point at %s://%s: listing stopped", link, c.base.Scheme, c.base.Host)
	}
	return u.String(), nil
}

// retryable reports whether a status is Graph throttling or a transient
// unavailability that Retry-After applies to
// (https://learn.microsoft.com/graph/throttling).
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// get fetches u into v, retrying throttled responses as Retry-After asks,
// at most c.retries times and c.maxWait at a time.
func (c *client) get(ctx context.Context, u string, v any) error {
	for attempt := 0; ; attempt++ {
		status, hdr, body, err := c.do(ctx, u)
		if err != nil {
			return err
		}
		if status == http.StatusOK {
			if err := json.Unmarshal(body, v); err != nil {
				return fmt.Errorf("decode response: %w", err)
			}
			return nil
		}
		e := decodeError(status, body)
		if !retryable(status) {
			return e
		}
		asked := time.Duration(-1)
		if s, err := strconv.Atoi(strings.TrimSpace(hdr.Get("Retry-After"))); err == nil && s >= 0 {
			asked = time.Duration(s) * time.Second
		}
		p := collectors.RetryPolicy{Retries: c.retries, MaxWait: c.maxWait, Backoff: time.Second, Sleep: c.sleep}
		wait, ok := p.Wait(attempt, asked)
		if !ok {
			return fmt.Errorf("%w: %w", &collectors.ThrottledError{Limit: "Microsoft Graph throttling", Wait: max(wait, asked, 0), MaxWait: c.maxWait, Status: status}, e)
		}
		if err := p.Pause(ctx, wait); err != nil {
			return err
		}
	}
}

// do sends one authenticated GET and returns the status, headers and body.
func (c *client) do(ctx context.Context, u string) (int, http.Header, []byte, error) {
	tok, err := c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{c.scope}})
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return 0, nil, nil, ctxErr
		}
		return 0, nil, nil, &tokenError{err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	req.Header.Set("User-Agent", "attest")
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return 0, nil, nil, ctxErr
		}
		return 0, nil, nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	_ = resp.Body.Close()
	if err != nil {
		return 0, nil, nil, err
	}
	return resp.StatusCode, resp.Header, body, nil
}

func decodeError(status int, body []byte) *graphError {
	var b struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &b)
	return &graphError{Status: status, Code: b.Error.Code, Message: b.Error.Message}
}

// classify converts err of operation op into a *collectors.APIError. perm
// is the Graph permission the operation needs; a 403 for a tenant without
// the premium licence names the licence too. Context errors stay in the
// chain.
func classify(err error, op, perm string) error {
	if err == nil {
		return nil
	}
	kind := evidence.Errored
	var e *graphError
	var te *tokenError
	var th *collectors.ThrottledError
	switch {
	case collectors.Stopped(err) || errors.Is(err, context.DeadlineExceeded):
		kind = collectors.Classify(err)
		perm = ""
	case errors.As(err, &th):
		kind = evidence.Throttled
		perm = ""
	case unlicensed(err):
		kind = evidence.Denied
		perm += " and " + licencePremium
	case errors.As(err, &e) && (e.Status == http.StatusForbidden || e.Status == http.StatusUnauthorized):
		kind = evidence.Denied
	case errors.As(err, &te):
		kind = evidence.Denied
		perm = ""
	default:
		perm = ""
	}
	return &collectors.APIError{Kind: kind, Operation: op, Permission: perm, Err: err}
}

// operation names a request by method and route below the version root,
// e.g. "GET /users". Every Graph response attest gets is kept: none
// carries a credential (tokens come from the credential, not from Graph).
func (c *client) operation(req *http.Request) (string, bool) {
	return operationOf(req, c.base.Path), true
}

// operationOf names req by its route below root, the version path.
func operationOf(req *http.Request, root string) string {
	p := strings.TrimPrefix(req.URL.Path, strings.TrimRight(root, "/"))
	return req.Method + " " + p
}

// pimLicenceCode is the error code Graph and Resource Manager answer the
// Privileged Identity Management listings with in a tenant without a
// Microsoft Entra ID P2 or ID Governance licence ("The tenant needs an AAD
// Premium 2 license."), with HTTP 400 or 403.
const pimLicenceCode = "AadPremiumLicenseRequired"

// noPIM reports whether err is Graph's answer for a tenant whose licence
// lacks Privileged Identity Management.
func noPIM(err error) bool {
	var e *graphError
	return errors.As(err, &e) && (e.Status == http.StatusBadRequest || e.Status == http.StatusForbidden) && e.Code == pimLicenceCode
}
