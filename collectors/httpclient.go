package collectors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Timeouts bound one provider call. Every source builds its HTTP client
// from them, so that an endpoint that accepts a connection and never
// answers costs at most Call, not the whole collection.
type Timeouts struct {
	// Dial bounds establishing the TCP connection.
	Dial time.Duration
	// TLSHandshake bounds the TLS handshake.
	TLSHandshake time.Duration
	// ResponseHeader bounds the wait for the response headers once the
	// request is sent.
	ResponseHeader time.Duration
	// Call bounds one HTTP exchange, reading the body included. Waits for
	// rate limits happen between calls, outside this deadline.
	Call time.Duration
}

// DefaultTimeouts are the deadlines of a provider call when the
// configuration sets none.
var DefaultTimeouts = Timeouts{Dial: 10 * time.Second, TLSHandshake: 10 * time.Second, ResponseHeader: 30 * time.Second, Call: 60 * time.Second}

// WithCall returns t with the per-call deadline d (and the response header
// deadline no longer than d); d <= 0 leaves t unchanged.
func (t Timeouts) WithCall(d time.Duration) Timeouts {
	if d <= 0 {
		return t
	}
	t.Call = d
	if t.ResponseHeader > d {
		t.ResponseHeader = d
	}
	if t.Dial > d {
		t.Dial = d
	}
	if t.TLSHandshake > d {
		t.TLSHandshake = d
	}
	return t
}

// BaseTransport returns a new HTTP transport with the dial, TLS handshake
// and response header deadlines of t, proxies from the environment and
// HTTP/2. It keeps up to 128 idle connections per host, more than the
// calls a source has in flight to one host by default, so that concurrent
// calls reuse connections instead of each opening (and handshaking) its
// own.
func BaseTransport(t Timeouts) *http.Transport {
	d := &net.Dialer{Timeout: t.Dial, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   128,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   t.TLSHandshake,
		ResponseHeaderTimeout: t.ResponseHeader,
		ExpectContinueTimeout: time.Second,
	}
}

// CallTransport returns the transport of a source's calls: the Transport
// of injected (tests and the demo) or, when there is none, a new
// BaseTransport with DefaultTimeouts; every attempt through it has its own
// Deadline, injected's Timeout when it sets one and DefaultTimeouts.Call
// otherwise. Rate-limit waits and retries wrapped around it happen between
// attempts, outside that deadline, so the http.Client that carries it
// needs no Timeout.
func CallTransport(injected *http.Client) http.RoundTripper {
	timeouts := DefaultTimeouts
	var rt http.RoundTripper = BaseTransport(timeouts)
	if injected != nil {
		if injected.Transport != nil {
			rt = injected.Transport
		}
		timeouts = timeouts.WithCall(injected.Timeout)
	}
	return Deadline(rt, timeouts.Call)
}

// A CallTimeoutError says that one call got no complete answer within its
// deadline. It unwraps to context.DeadlineExceeded, so Classify reports it
// as a timeout.
type CallTimeoutError struct {
	Method, URL string
	After       time.Duration
}

func (e *CallTimeoutError) Error() string {
	return fmt.Sprintf("%s %s: no answer within %s", e.Method, e.URL, e.After)
}

// Unwrap returns context.DeadlineExceeded.
func (e *CallTimeoutError) Unwrap() error { return context.DeadlineExceeded }

// Timeout reports true, for callers that test net.Error.
func (e *CallTimeoutError) Timeout() bool { return true }

// Temporary reports true: a timed-out read may be retried.
func (e *CallTimeoutError) Temporary() bool { return true }

// Deadline returns a RoundTripper that gives each request through base its
// own deadline of d, covering the response headers and reading the body.
// Retries and rate-limit waits done by RoundTrippers wrapped around it are
// outside the deadline, which starts again with every attempt. d <= 0
// returns base unchanged.
func Deadline(base http.RoundTripper, d time.Duration) http.RoundTripper {
	if d <= 0 {
		return base
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return &deadlineTransport{base: base, d: d}
}

type deadlineTransport struct {
	base http.RoundTripper
	d    time.Duration
}

func (t *deadlineTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	parent := req.Context()
	ctx, cancel := context.WithTimeout(parent, t.d)
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		if parent.Err() == nil && ctx.Err() != nil {
			return nil, &CallTimeoutError{Method: req.Method, URL: RedactURL(req.URL), After: t.d}
		}
		return nil, err
	}
	if resp.Body == nil {
		cancel()
		return resp, nil
	}
	resp.Body = &deadlineBody{rc: resp.Body, cancel: cancel, ctx: ctx, parent: parent, req: req, d: t.d}
	return resp, nil
}

// deadlineBody ends the call's context when the body is closed, and turns
// a read cut off by the deadline into a *CallTimeoutError.
type deadlineBody struct {
	rc     io.ReadCloser
	cancel context.CancelFunc
	ctx    context.Context
	parent context.Context
	req    *http.Request
	d      time.Duration
	once   sync.Once
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && b.parent.Err() == nil && b.ctx.Err() != nil {
		return n, &CallTimeoutError{Method: b.req.Method, URL: RedactURL(b.req.URL), After: b.d}
	}
	return n, err
}

func (b *deadlineBody) Close() error {
	err := b.rc.Close()
	b.once.Do(b.cancel)
	return err
}

// A ThrottledError says that a provider's rate limit was hit and the wait
// for it would have exceeded the configured bound (or the retries ran out).
// Sources wrap it in an *APIError of kind throttled; Limit names the limit
// in the provider's words.
type ThrottledError struct {
	// Limit names the limit, e.g. "GitHub secondary rate limit".
	Limit string
	// Wait is how long the provider asked (or the policy chose) to wait.
	Wait time.Duration
	// MaxWait is the configured bound on one wait.
	MaxWait time.Duration
	// Status is the HTTP status of the limited response.
	Status int
}

func (e *ThrottledError) Error() string {
	msg := e.Limit + " reached"
	if e.Status != 0 {
		msg += " (HTTP " + strconv.Itoa(e.Status) + ")"
	}
	switch {
	case e.Wait > e.MaxWait:
		msg += fmt.Sprintf(": the provider asked to wait %s, more than the configured bound of %s", e.Wait.Round(time.Second), e.MaxWait)
	case e.Wait > 0:
		msg += fmt.Sprintf(": still limited after waiting; last asked to wait %s", e.Wait.Round(time.Second))
	default:
		msg += ": still limited after the allowed retries"
	}
	return msg
}

// A RetryPolicy is the shared policy for waiting out rate limits in the
// sources whose SDK does not (GitHub, Okta, Google Cloud, Workspace): wait
// what the provider asks, at most MaxWait at a time and Retries times,
// outside the deadline of each call, then give up as throttled.
type RetryPolicy struct {
	// Retries is how many times one request is sent again after a limit.
	Retries int
	// MaxWait bounds one wait; a longer wait ends the request as throttled
	// at once.
	MaxWait time.Duration
	// Backoff is the wait when the provider names none; it doubles with
	// every attempt. 0 means 1s.
	Backoff time.Duration
	// Sleep waits; nil means Sleep (tests inject a fake clock).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Wait returns how long to wait before attempt+1 after a limited response
// that asked for asked (negative when it named no wait), and false when
// the request should instead end as throttled.
func (p RetryPolicy) Wait(attempt int, asked time.Duration) (time.Duration, bool) {
	if attempt >= p.Retries {
		return 0, false
	}
	d := asked
	if d < 0 {
		b := p.Backoff
		if b <= 0 {
			b = time.Second
		}
		d = b << min(attempt, 10)
	}
	if d > p.MaxWait {
		return d, false
	}
	return d, true
}

// Pause waits d with p.Sleep, or returns ctx's error.
func (p RetryPolicy) Pause(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	return Sleep(ctx, d)
}
