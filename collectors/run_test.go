package collectors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
)

// fake is a collector whose behaviour each test sets.
type fake struct {
	id      string
	collect func(ctx context.Context, t evidence.Target, out Sink) error
	perRes  int
}

func (f *fake) Describe() Descriptor {
	return Descriptor{ID: f.id, Version: 1, Source: "fake", ResourceTypes: []ResourceType{{Name: f.id + ".thing"}}, CallsPerResource: f.perRes}
}

func (f *fake) Collect(ctx context.Context, t evidence.Target, out Sink) error {
	return f.collect(ctx, t, out)
}

func newRunner(t *testing.T) (*Runner, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bundle")
	w, err := evidence.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	return &Runner{Writer: w, Concurrency: 2, Now: func() time.Time { return clock }}, dir
}

func finish(t *testing.T, r *Runner, dir string) *evidence.Bundle {
	t.Helper()
	if err := r.Writer.Close(evidence.Manifest{FinishedAt: r.Now()}); err != nil {
		t.Fatal(err)
	}
	b, err := evidence.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRunnerKeepsGoingAfterFailures(t *testing.T) {
	t.Parallel()
	r, dir := newRunner(t)
	ok := &fake{id: "ok", collect: func(_ context.Context, _ evidence.Target, out Sink) error {
		out.Emit(evidence.Resource{Type: "ok.thing", ID: "1"})
		return nil
	}}
	denied := &fake{id: "denied", collect: func(context.Context, evidence.Target, Sink) error {
		return &APIError{Kind: evidence.Denied, Operation: "svc:List", Permission: "svc:List", Err: errors.New("AccessDenied")}
	}}
	partial := &fake{id: "partial", collect: func(_ context.Context, _ evidence.Target, out Sink) error {
		out.Emit(evidence.Resource{Type: "partial.thing", ID: "2"})
		out.Fail(FailureOf(&APIError{Kind: evidence.Throttled, Operation: "svc:Get", Err: errors.New("Throttling")}, "2"))
		return nil
	}}
	panicky := &fake{id: "boom", collect: func(context.Context, evidence.Target, Sink) error { return errors.New("boom") }}
	target := evidence.Target{Source: "fake", Account: "a", Region: "r"}
	runs := r.Run(t.Context(), []Job{{denied, target}, {ok, target}, {partial, target}, {panicky, target}})
	b := finish(t, r, dir)

	got := map[string]evidence.Run{}
	for _, run := range runs {
		got[run.Collector] = run
	}
	if got["ok"].Status != evidence.Complete || got["ok"].Resources != 1 {
		t.Errorf("ok run: %+v", got["ok"])
	}
	if d := got["denied"]; d.Status != evidence.Failed || d.Failures[0].Kind != evidence.Denied || d.Failures[0].Permission != "svc:List" {
		t.Errorf("denied run: %+v", d)
	}
	if p := got["partial"]; p.Status != evidence.Partial || p.Failures[0].Kind != evidence.Throttled {
		t.Errorf("partial run: %+v", p)
	}
	if got["boom"].Failures[0].Kind != evidence.Errored {
		t.Errorf("boom run: %+v", got["boom"])
	}
	if len(b.Resources) != 2 || b.Resources[0].Account != "a" || b.Resources[0].Region != "r" || b.Resources[0].Collector == "" {
		t.Errorf("resources not kept or not stamped: %+v", b.Resources)
	}
	if len(b.Manifest.Runs) != 4 {
		t.Errorf("manifest has %d runs, want 4", len(b.Manifest.Runs))
	}
}

func TestRunnerCancelled(t *testing.T) {
	t.Parallel()
	r, dir := newRunner(t)
	r.Concurrency = 1
	ctx, cancel := context.WithCancel(t.Context())
	started := make(chan struct{})
	blocking := &fake{id: "block", collect: func(ctx context.Context, _ evidence.Target, out Sink) error {
		out.Emit(evidence.Resource{Type: "block.thing", ID: "kept"})
		close(started)
		<-ctx.Done()
		return fmt.Errorf("list things: %w", ctx.Err())
	}}
	never := &fake{id: "never", collect: func(context.Context, evidence.Target, Sink) error {
		t.Error("a job started after cancellation")
		return nil
	}}
	go func() { <-started; cancel() }()
	runs := r.Run(ctx, []Job{{blocking, evidence.Target{Source: "fake"}}, {never, evidence.Target{Source: "fake"}}})
	b := finish(t, r, dir)
	for _, run := range runs {
		if run.Status != evidence.Failed || run.Failures[len(run.Failures)-1].Kind != evidence.Cancelled {
			t.Errorf("%s: %+v, want failed/cancelled", run.Collector, run)
		}
	}
	if len(b.Resources) != 1 || b.Resources[0].ID != "kept" {
		t.Errorf("evidence collected before the interrupt was lost: %+v", b.Resources)
	}
}

func TestTransportRecordsAndRedacts(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	r, dir := newRunner(t)
	client := &http.Client{Transport: Transport(nil, func(req *http.Request) (string, bool) {
		return "svc:" + strings.TrimPrefix(req.URL.Path, "/"), req.URL.Path != "/token"
	})}
	var traced []string
	c := &fake{id: "http", collect: func(ctx context.Context, _ evidence.Target, out Sink) error {
		tctx, trace := WithTrace(ctx)
		for _, p := range []string{"/Get?access_token=s3cret&page=2", "/token"} {
			req, _ := http.NewRequestWithContext(tctx, http.MethodGet, srv.URL+p, nil)
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != `{"ok":true}` {
				t.Errorf("body seen by the caller: %q", body)
			}
		}
		traced = trace.Records()
		return nil
	}}
	r.Run(t.Context(), []Job{{c, evidence.Target{Source: "fake"}}})
	b := finish(t, r, dir)
	if len(b.Records) != 1 {
		t.Fatalf("records = %+v, want only the non-token response", b.Records)
	}
	rec := b.Records[0]
	if rec.Operation != "svc:Get" || rec.Status != 200 || strings.Contains(rec.Endpoint, "s3cret") || !strings.Contains(rec.Endpoint, "page=2") {
		t.Errorf("record %+v", rec)
	}
	if len(traced) != 1 || traced[0] != rec.SHA256 {
		t.Errorf("trace %v, want [%s]", traced, rec.SHA256)
	}
	if err := b.VerifyRaw(); err != nil {
		t.Error(err)
	}
}

func TestRunStartsPerResourceCollectorsFirst(t *testing.T) {
	t.Parallel()
	r, _ := newRunner(t)
	r.Concurrency = 1
	var mu sync.Mutex
	var order []string
	job := func(id string, perRes int) Job {
		return Job{&fake{id: id, perRes: perRes, collect: func(context.Context, evidence.Target, Sink) error {
			mu.Lock()
			order = append(order, id)
			mu.Unlock()
			return nil
		}}, evidence.Target{Source: "fake"}}
	}
	r.Run(t.Context(), []Job{job("list.a", 0), job("heavy", 7), job("list.b", 0), job("light", 1)})
	if want := []string{"heavy", "light", "list.a", "list.b"}; !slices.Equal(order, want) {
		t.Errorf("started %v, want %v (costliest first, then plan order)", order, want)
	}
}

func TestTransportKeepsQueryOfReadPosts(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(body), "query") {
			t.Errorf("server got body %q", body)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data":{}}`)
	}))
	t.Cleanup(srv.Close)
	r, dir := newRunner(t)
	client := &http.Client{Transport: Transport(nil, func(req *http.Request) (string, bool) { return req.Method + " " + req.URL.Path, true })}
	const query = `{"query":"query Q { viewer { login } }","variables":{}}`
	c := &fake{id: "http", collect: func(ctx context.Context, _ evidence.Target, out Sink) error {
		for _, ct := range []string{"application/json", "application/x-www-form-urlencoded"} {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", strings.NewReader(query))
			req.Header.Set("Content-Type", ct)
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
		}
		return nil
	}}
	r.Run(t.Context(), []Job{{c, evidence.Target{Source: "fake"}}})
	b := finish(t, r, dir)
	if len(b.Records) != 2 {
		t.Fatalf("records = %+v, want 2", b.Records)
	}
	var got []string
	for _, rec := range b.Records {
		got = append(got, rec.Request)
	}
	slices.Sort(got)
	if got[0] != "" || got[1] != query {
		t.Errorf("requests kept = %q, want the JSON query only (form bodies may carry credentials)", got)
	}
}

func TestTransportOutsideRunPassesThrough(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { calls.Add(1) }))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: Transport(nil, func(*http.Request) (string, bool) { return "x", true })}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if calls.Load() != 1 {
		t.Fatal("request not sent")
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("https://user:pw@api.example.com/x?X-Amz-Signature=abc&token=t&per_page=100")
	got := RedactURL(u)
	for _, secret := range []string{"pw", "abc", "token=t"} {
		if strings.Contains(got, secret) {
			t.Errorf("RedactURL kept %q: %s", secret, got)
		}
	}
	if !strings.Contains(got, "per_page=100") {
		t.Errorf("RedactURL dropped a harmless parameter: %s", got)
	}
}

func TestRegistryRejectsDuplicates(t *testing.T) {
	t.Parallel()
	r := NewRegistry()
	r.MustRegister(&fake{id: "a"})
	defer func() {
		if recover() == nil {
			t.Error("duplicate registration did not panic")
		}
	}()
	r.MustRegister(&fake{id: "a"})
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := map[error]evidence.FailureKind{
		fmt.Errorf("x: %w", context.Canceled):                    evidence.Cancelled,
		fmt.Errorf("x: %w", context.DeadlineExceeded):            evidence.Timeout,
		fmt.Errorf("x: %w", &APIError{Kind: evidence.Throttled}): evidence.Throttled,
		errors.New("connection refused"):                         evidence.Errored,
	}
	for err, want := range tests {
		if got := Classify(err); got != want {
			t.Errorf("Classify(%v) = %s, want %s", err, got, want)
		}
	}
}

func TestRunnerRecordsSkips(t *testing.T) {
	t.Parallel()
	r, dir := newRunner(t)
	c := &fake{id: "filtering", collect: func(_ context.Context, _ evidence.Target, out Sink) error {
		Skip(out, "repo-b", "archived")
		out.Emit(evidence.Resource{Type: "filtering.thing", ID: "repo-c"})
		Skip(out, "repo-a", "filtered out by configuration")
		return nil
	}}
	runs := r.Run(t.Context(), []Job{{c, evidence.Target{Source: "fake"}}})
	b := finish(t, r, dir)
	want := []evidence.Skip{{Resource: "repo-a", Reason: "filtered out by configuration"}, {Resource: "repo-b", Reason: "archived"}}
	for _, got := range [][]evidence.Skip{runs[0].Skipped, b.Manifest.Runs[0].Skipped} {
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("skipped = %+v, want %+v (sorted)", got, want)
		}
	}
	if runs[0].Status != evidence.Complete {
		t.Errorf("a run with skips but no failures is %s, want complete", runs[0].Status)
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	t.Parallel()
	if err := Sleep(t.Context(), 0); err != nil {
		t.Errorf("Sleep(0) = %v", err)
	}
	if err := Sleep(t.Context(), time.Millisecond); err != nil {
		t.Errorf("Sleep(1ms) = %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a cancelled context = %v, want context.Canceled", err)
	}
}

func TestForEachBoundsAndStops(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	running, peak, ran := 0, 0, 0
	err := ForEach(t.Context(), 3, 20, func(context.Context, int) {
		mu.Lock()
		running++
		ran++
		peak = max(peak, running)
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		running--
		mu.Unlock()
	})
	if err != nil || ran != 20 || peak > 3 {
		t.Errorf("err %v, ran %d, peak %d: want nil, 20, at most 3", err, ran, peak)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var started int
	err = ForEach(ctx, 1, 20, func(context.Context, int) {
		mu.Lock()
		started++
		mu.Unlock()
		cancel()
	})
	if !errors.Is(err, context.Canceled) || started != 1 {
		t.Errorf("err %v after %d started, want context.Canceled after 1", err, started)
	}
}
