package collectors

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/hangtest"
)

// planSource is a source whose planning each test sets.
type planSource struct {
	name string
	cs   []Collector
	plan func(ctx context.Context) ([]Job, error)
}

func (s *planSource) Name() string            { return s.name }
func (s *planSource) Collectors() []Collector { return s.cs }
func (s *planSource) Plan(ctx context.Context, _ func(string) bool) ([]Job, error) {
	return s.plan(ctx)
}

func all(string) bool { return true }

// TestCollectPlanningDoesNotBlockOtherSources checks that a source whose
// planning hangs until the run ends never holds up another source's
// collectors, and that the hanging source's collectors end as failed runs.
func TestCollectPlanningDoesNotBlockOtherSources(t *testing.T) {
	t.Parallel()
	r, dir := newRunner(t)
	r.Grace = 100 * time.Millisecond
	ran := make(chan struct{})
	var once sync.Once
	quick := &fake{id: "quick", collect: func(_ context.Context, _ evidence.Target, out Sink) error {
		out.Emit(evidence.Resource{Type: "quick.thing", ID: "1"})
		once.Do(func() { close(ran) })
		return nil
	}}
	slow := &fake{id: "slow", collect: func(context.Context, evidence.Target, Sink) error { return nil }}
	hanging := &planSource{name: "hanging", cs: []Collector{slow}, plan: func(ctx context.Context) ([]Job, error) {
		// Planning waits for the other source's collector, which the
		// runner of old only started once every plan was done.
		select {
		case <-ran:
			<-ctx.Done()
			return nil, ctx.Err()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}}
	other := &planSource{name: "other", cs: []Collector{quick}, plan: func(context.Context) ([]Job, error) {
		return []Job{{quick, evidence.Target{Source: "other", Account: "a"}}}, nil
	}}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	runs := r.Collect(ctx, []Source{hanging, other}, all)
	b := finish(t, r, dir)
	got := map[string]evidence.RunStatus{}
	for _, run := range runs {
		got[run.Collector] = run.Status
	}
	if got["quick"] != evidence.Complete || got["slow"] != evidence.Failed {
		t.Fatalf("statuses %v, want quick complete and slow failed", got)
	}
	if len(b.Manifest.Runs) != 2 {
		t.Errorf("bundle has %d runs, want 2", len(b.Manifest.Runs))
	}
	for _, run := range runs {
		if run.Collector == "slow" && (len(run.Failures) == 0 || run.Failures[0].Kind != evidence.Timeout) {
			t.Errorf("slow failures %v, want a timeout", run.Failures)
		}
	}
}

// TestCollectAbandonsWhatIgnoresTheDeadline checks that a plan or a
// collector that ignores ctx cannot hold the run past its deadline plus the
// grace period, and is recorded as failed, not as empty.
func TestCollectAbandonsWhatIgnoresTheDeadline(t *testing.T) {
	t.Parallel()
	r, dir := newRunner(t)
	r.Grace = 100 * time.Millisecond
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	stuck := &fake{id: "stuck", collect: func(ctx context.Context, _ evidence.Target, out Sink) error {
		out.Emit(evidence.Resource{Type: "stuck.thing", ID: "before"})
		<-block
		out.Emit(evidence.Resource{Type: "stuck.thing", ID: "after"})
		return nil
	}}
	never := &fake{id: "never", collect: func(context.Context, evidence.Target, Sink) error { return nil }}
	srcs := []Source{
		&planSource{name: "a", cs: []Collector{stuck}, plan: func(context.Context) ([]Job, error) {
			return []Job{{stuck, evidence.Target{Source: "a", Account: "x"}}}, nil
		}},
		&planSource{name: "b", cs: []Collector{never}, plan: func(context.Context) ([]Job, error) {
			<-block
			return nil, nil
		}},
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	runs := r.Collect(ctx, srcs, all)
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Collect took %s", d)
	}
	finish(t, r, dir)
	if len(runs) != 2 {
		t.Fatalf("runs %v", runs)
	}
	for _, run := range runs {
		if run.Status != evidence.Failed || len(run.Failures) == 0 || run.Failures[len(run.Failures)-1].Kind != evidence.Timeout {
			t.Errorf("%s: status %s, failures %v; want failed by timeout", run.Collector, run.Status, run.Failures)
		}
	}
}

func TestDeadlineTransport(t *testing.T) {
	t.Parallel()
	t.Run("no answer", func(t *testing.T) {
		t.Parallel()
		addr := hangtest.Addr(t)
		hc := &http.Client{Transport: Deadline(BaseTransport(DefaultTimeouts), 200*time.Millisecond)}
		start := time.Now()
		_, err := hc.Get("http://" + addr + "/x?token=secret")
		if err == nil {
			t.Fatal("no error")
		}
		var te *CallTimeoutError
		if !errors.As(err, &te) || Classify(err) != evidence.Timeout || strings.Contains(te.Error(), "secret") {
			t.Errorf("err %v (kind %s), want a redacted *CallTimeoutError", err, Classify(err))
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %s", d)
		}
	})
	t.Run("body never ends", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		t.Cleanup(func() { close(stop); ln.Close() })
		go func() {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			_, _ = c.Read(make([]byte, 4096))
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
			<-stop
		}()
		hc := &http.Client{Transport: Deadline(BaseTransport(DefaultTimeouts), 200*time.Millisecond)}
		resp, err := hc.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
		if Classify(err) != evidence.Timeout {
			t.Errorf("read error %v, want a timeout", err)
		}
	})
	t.Run("base transport bounds the headers", func(t *testing.T) {
		t.Parallel()
		addr := hangtest.Addr(t)
		hc := &http.Client{Transport: BaseTransport(Timeouts{Dial: time.Second, TLSHandshake: time.Second, ResponseHeader: 200 * time.Millisecond})}
		start := time.Now()
		if _, err := hc.Get("http://" + addr + "/"); err == nil {
			t.Fatal("no error")
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %s", d)
		}
	})
}

func TestRetryPolicyWait(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{Retries: 2, MaxWait: 10 * time.Second, Backoff: time.Second}
	for _, tt := range []struct {
		attempt int
		asked   time.Duration
		want    time.Duration
		ok      bool
	}{
		{0, -1, time.Second, true},
		{1, -1, 2 * time.Second, true},
		{0, 0, 0, true},
		{0, 5 * time.Second, 5 * time.Second, true},
		{0, time.Minute, time.Minute, false},
		{2, time.Second, 0, false},
	} {
		d, ok := p.Wait(tt.attempt, tt.asked)
		if d != tt.want || ok != tt.ok {
			t.Errorf("Wait(%d, %s) = %s, %v; want %s, %v", tt.attempt, tt.asked, d, ok, tt.want, tt.ok)
		}
	}
}
