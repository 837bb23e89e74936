package aws

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/attestdev/attest/collectors"
)

func TestWindowGrowsAndHalves(t *testing.T) {
	t.Parallel()
	w := newWindow(2, 8)
	// Slow start: one more call per call that succeeds, up to the maximum.
	for range 10 {
		e, err := w.acquire(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		w.release(e, false)
	}
	if got := w.size(); got != 8 {
		t.Fatalf("after 10 successes: %v, want the maximum 8", got)
	}
	// Four calls in flight are throttled: the window halves once.
	var es []int
	for range 4 {
		e, err := w.acquire(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	for _, e := range es {
		w.release(e, true)
	}
	if got := w.size(); got != 4 {
		t.Fatalf("after a round of throttles: %v, want 4", got)
	}
	// A throttle of a call started after the halving halves again, never
	// below one.
	for range 5 {
		e, _ := w.acquire(t.Context())
		w.release(e, true)
	}
	if got := w.size(); got != 1 {
		t.Fatalf("after five throttled rounds: %v, want 1", got)
	}
	// After a throttle, growth is additive: one call per window of calls.
	for range 3 {
		e, _ := w.acquire(t.Context())
		w.release(e, false)
	}
	if got := w.size(); got < 2 || got >= 3 {
		t.Fatalf("after three successes at 1: %v, want in [2, 3)", got)
	}
}

func TestWindowBoundsInFlight(t *testing.T) {
	t.Parallel()
	w := newWindow(3, 3)
	var in, peak atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			e, err := w.acquire(t.Context())
			if err != nil {
				t.Error(err)
				return
			}
			n := in.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			in.Add(-1)
			w.release(e, false)
		})
	}
	wg.Wait()
	if p := peak.Load(); p > 3 || p < 1 {
		t.Errorf("peak in flight %d, want 1..3", p)
	}
	// A full window: a cancelled wait returns the context's error.
	w = newWindow(1, 1)
	e, _ := w.acquire(t.Context())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := w.acquire(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("acquire on a full window with a cancelled context: %v", err)
	}
	w.release(e, false)
}

// TestAdaptiveMiddlewareHalvesOnThrottle sends real SDK calls through the
// middleware to the fake answering SlowDown, and checks that the window of
// the API shrank while another API's did not.
func TestAdaptiveMiddlewareHalvesOnThrottle(t *testing.T) {
	t.Parallel()
	st := withFault(buckets("data"), "s3:GetBucketVersioning", "SlowDown", http.StatusServiceUnavailable)
	src := newFakeSource(t, st)
	cfg, err := src.baseConfig(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	a := newAdaptive()
	cfg.APIOptions = append(cfg.APIOptions, a.middleware())
	cl := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := cl.GetBucketVersioning(t.Context(), &s3.GetBucketVersioningInput{Bucket: new("data")}); err == nil {
		t.Fatal("GetBucketVersioning succeeded, want SlowDown")
	}
	if _, err := cl.GetBucketEncryption(t.Context(), &s3.GetBucketEncryptionInput{Bucket: new("data")}); err != nil {
		t.Fatal(err)
	}
	if got := a.window(cfg.Region, "s3:GetBucketVersioning").size(); got >= adaptiveStart {
		t.Errorf("throttled API's window %v, want below %d", got, adaptiveStart)
	}
	if got := a.window(cfg.Region, "s3:GetBucketEncryption").size(); got != adaptiveStart+1 {
		t.Errorf("other API's window %v, want %d", got, adaptiveStart+1)
	}
}

func TestCongested(t *testing.T) {
	t.Parallel()
	timeout := fmt.Errorf("operation error S3: GetBucketPolicy: %w", &collectors.CallTimeoutError{Method: "GET", URL: "https://s3", After: time.Second})
	ended, cancel := context.WithCancel(t.Context())
	cancel()
	for _, tt := range []struct {
		name string
		ctx  context.Context
		err  error
		want bool
	}{
		{"success", t.Context(), nil, false},
		{"other error", t.Context(), errors.New("AccessDenied"), false},
		{"call timed out", t.Context(), timeout, true},
		{"run ended", ended, timeout, false},
	} {
		if got := congested(tt.ctx, tt.err); got != tt.want {
			t.Errorf("%s: congested = %v, want %v", tt.name, got, tt.want)
		}
	}
}
