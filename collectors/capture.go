package collectors

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
)

// maxRawBody bounds the size of one raw response kept as evidence.
const maxRawBody = 64 << 20

type recorderKey struct{}

type recorder struct {
	w         *evidence.Writer
	collector string
	version   int
	target    evidence.Target
	now       func() time.Time
	progress  func(Event)
	count     atomic.Int64
	// closed is set when the runner abandoned the job: later records are
	// dropped.
	closed atomic.Bool
}

func withRecorder(ctx context.Context, rec *recorder) context.Context {
	return context.WithValue(ctx, recorderKey{}, rec)
}

type traceKey struct{}

// A Trace collects the SHA-256 of every raw response recorded under its
// context, so that a resource can point at the responses it came from.
type Trace struct {
	mu  sync.Mutex
	ids []string
}

// WithTrace returns a context whose recorded responses are also added to the
// returned Trace.
func WithTrace(ctx context.Context) (context.Context, *Trace) {
	t := &Trace{}
	return context.WithValue(ctx, traceKey{}, t), t
}

// Records returns the SHA-256 of the responses recorded so far, in order.
func (t *Trace) Records() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.ids...)
}

// Record keeps body as a raw response of the collector run that ctx belongs
// to and returns its SHA-256. Outside a run (ctx carries no recorder) it
// records nothing and returns "". The record's collector, target and time
// are filled in.
func Record(ctx context.Context, rec evidence.Record, body []byte) string {
	r, ok := ctx.Value(recorderKey{}).(*recorder)
	if !ok || r.closed.Load() {
		return ""
	}
	rec.Collector = r.collector
	rec.CollectorVersion = r.version
	rec.Target = r.target
	rec.CollectedAt = r.now()
	sum, err := r.w.WriteRecord(rec, body)
	if err != nil {
		return ""
	}
	rec.SHA256, rec.Size = sum, len(body)
	r.stored(ctx, rec)
	return sum
}

// stored counts a record written for the run and adds it to the context's
// Trace and Capture.
func (r *recorder) stored(ctx context.Context, rec evidence.Record) {
	r.count.Add(1)
	if r.progress != nil {
		r.progress(Event{Kind: RecordStored, Collector: r.collector, Target: r.target})
	}
	if t, ok := ctx.Value(traceKey{}).(*Trace); ok {
		t.mu.Lock()
		t.ids = append(t.ids, rec.SHA256)
		t.mu.Unlock()
	}
	if c, ok := ctx.Value(captureKey{}).(*Capture); ok {
		c.mu.Lock()
		c.recs = append(c.recs, rec)
		c.mu.Unlock()
	}
}

type captureKey struct{}

// A Capture keeps the records of the raw responses recorded under its
// context, so that another collector run of the same collection that reads
// the same responses (a listing several collectors share) can record them
// as its own with Rerecord, without fetching them again.
type Capture struct {
	mu   sync.Mutex
	recs []evidence.Record
}

// WithCapture returns a context whose recorded responses are also kept by
// the returned Capture.
func WithCapture(ctx context.Context) (context.Context, *Capture) {
	c := &Capture{}
	return context.WithValue(ctx, captureKey{}, c), c
}

// Records returns the records kept so far, in order.
func (c *Capture) Records() []evidence.Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]evidence.Record(nil), c.recs...)
}

// Rerecord records rec, a response another run of the same collection
// recorded (from a Capture), as a raw response of the run ctx belongs to:
// the record names this run's collector and target and keeps the time the
// response was fetched; the body is stored once. It returns the SHA-256,
// or "" outside a run or when the bundle does not hold the body.
func Rerecord(ctx context.Context, rec evidence.Record) string {
	r, ok := ctx.Value(recorderKey{}).(*recorder)
	if !ok || r.closed.Load() || rec.SHA256 == "" {
		return ""
	}
	rec.Collector = r.collector
	rec.CollectorVersion = r.version
	rec.Target = r.target
	sum, err := r.w.WriteRecordOf(rec)
	if err != nil {
		return ""
	}
	r.stored(ctx, rec)
	return sum
}

// An OperationFunc names the API operation of a request, e.g.
// "s3:GetBucketEncryption". It returns keep=false for requests whose
// responses must never be stored, such as credential exchanges.
type OperationFunc func(req *http.Request) (name string, keep bool)

// Transport returns a RoundTripper that keeps the body of every response it
// carries as a raw record of the collector run in the request's context.
// Requests outside a run pass through untouched. Secrets in the URL are
// redacted before the endpoint is stored.
func Transport(base http.RoundTripper, op OperationFunc) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{base: base, op: op}
}

type transport struct {
	base http.RoundTripper
	op   OperationFunc
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	ctx := req.Context()
	if _, ok := ctx.Value(recorderKey{}).(*recorder); !ok {
		return resp, nil
	}
	name, keep := t.op(req)
	if !keep {
		return resp, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRawBody+1))
	_ = resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("collectors: read response of %s: %w", name, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if len(body) <= maxRawBody {
		Record(ctx, evidence.Record{
			Operation:   name,
			Method:      req.Method,
			Endpoint:    RedactURL(req.URL),
			Status:      resp.StatusCode,
			ContentType: resp.Header.Get("Content-Type"),
			Request:     requestBody(req),
		}, body)
	}
	return resp, nil
}

// Resend returns req ready to be sent again after a retry wait: a clone
// with a fresh body from req.GetBody, or req itself when it has no body to
// renew. Transports that retry reads use it.
func Resend(req *http.Request) (*http.Request, error) {
	if req.GetBody == nil {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	req = req.Clone(req.Context())
	req.Body = body
	return req, nil
}

// maxRequestBody bounds the size of a request body kept with a record.
const maxRequestBody = 64 << 10

// requestBody returns the JSON body of a POST request (a GraphQL query, a
// search filter), or "" for other requests and for bodies that cannot be
// read again or are larger than maxRequestBody.
func requestBody(req *http.Request) string {
	ct := req.Header.Get("Content-Type")
	if req.Method != http.MethodPost || req.GetBody == nil || req.ContentLength > maxRequestBody ||
		!(strings.HasPrefix(ct, "application/json") || strings.HasSuffix(ct, "+json")) {
		return ""
	}
	rc, err := req.GetBody()
	if err != nil {
		return ""
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxRequestBody+1))
	if err != nil || len(b) > maxRequestBody {
		return ""
	}
	return string(b)
}

// secretParams are query parameters that may carry credentials.
var secretParams = []string{"token", "access_token", "client_secret", "key", "api_key", "signature", "sig", "code", "password"}

// RedactURL returns u as a string with user information and credential-like
// query parameters (including AWS pre-signing parameters) replaced by
// REDACTED.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.User != nil {
		c.User = url.User("REDACTED")
	}
	q := c.Query()
	changed := false
	for k := range q {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-amz-") || isSecretParam(lk) {
			q.Set(k, "REDACTED")
			changed = true
		}
	}
	if changed {
		c.RawQuery = q.Encode()
	}
	return c.String()
}

func isSecretParam(k string) bool {
	for _, s := range secretParams {
		if k == s {
			return true
		}
	}
	return false
}
