package aws

import (
	"context"
	"errors"
	"sync"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"

	"github.com/attestdev/attest/collectors"
)

// Adaptive concurrency. AWS throttles per account, region and API (token
// buckets whose sizes it documents for some services only), and answers a
// call above its bucket with a throttling error, never with a hint of how
// fast to go. So the calls of one account in flight to one API in one
// region are bounded by a window that adapts, as TCP's congestion window
// does: it starts at adaptiveStart, grows by one call per call that
// succeeds (doubling per round of calls) until the first throttle, halves
// on a throttle or a call that timed out (at most once per round: the calls already in flight when
// it halved do not halve it again), and then grows by one call per round.
// It never drops below one call nor grows above adaptiveMax. Every attempt
// counts, retries included; the SDK's retryer still backs off between them.

const (
	adaptiveStart = 8
	adaptiveMax   = 256
)

// adaptive holds the windows of one account, per region and API.
type adaptive struct {
	mu      sync.Mutex
	windows map[string]*window
}

func newAdaptive() *adaptive { return &adaptive{windows: map[string]*window{}} }

func (a *adaptive) window(region, action string) *window {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := region + " " + action
	w := a.windows[k]
	if w == nil {
		w = newWindow(adaptiveStart, adaptiveMax)
		a.windows[k] = w
	}
	return w
}

// A window bounds the calls in flight to one API, adapting to throttles.
type window struct {
	mu       sync.Mutex
	limit    float64
	max      float64
	inflight int
	// throttled is set after the first throttle: growth is additive from
	// then on. epoch counts the halvings; a call that started before the
	// latest one does not halve the window again.
	throttled bool
	epoch     int
	// free is closed, and replaced, whenever a call ends.
	free chan struct{}
}

func newWindow(start, max float64) *window {
	return &window{limit: start, max: max, free: make(chan struct{})}
}

// acquire waits for room in the window, or until ctx ends, and returns the
// epoch the call started in.
func (w *window) acquire(ctx context.Context) (int, error) {
	for {
		w.mu.Lock()
		if float64(w.inflight) < max(1, w.limit) {
			w.inflight++
			e := w.epoch
			w.mu.Unlock()
			return e, nil
		}
		free := w.free
		w.mu.Unlock()
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-free:
		}
	}
}

// release ends a call that started in epoch; throttled says AWS throttled
// it.
func (w *window) release(epoch int, throttled bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inflight--
	switch {
	case throttled && epoch == w.epoch:
		w.limit = max(1, w.limit/2)
		w.throttled = true
		w.epoch++
	case throttled:
	case !w.throttled:
		w.limit = min(w.max, w.limit+1)
	default:
		w.limit = min(w.max, w.limit+1/w.limit)
	}
	close(w.free)
	w.free = make(chan struct{})
}

// size returns the window's current limit.
func (w *window) size() float64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.limit
}

var throttles = retry.IsErrorThrottles(retry.DefaultThrottles)

// congested reports whether err says the API is overloaded: AWS throttled
// the call, or the call got no answer within its own deadline (while the
// run itself goes on).
func congested(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	var timeout *collectors.CallTimeoutError
	return throttles.IsErrorThrottle(err) == awssdk.TrueTernary || errors.As(err, &timeout)
}

// middleware returns the SDK option that holds every attempt of every call
// of a known service within its window.
func (a *adaptive) middleware() func(*middleware.Stack) error {
	return func(st *middleware.Stack) error {
		return st.Finalize.Insert(middleware.FinalizeMiddlewareFunc("attest.AdaptiveConcurrency",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				prefix, ok := servicePrefixes[awsmiddleware.GetServiceID(ctx)]
				if !ok {
					return next.HandleFinalize(ctx, in)
				}
				w := a.window(awsmiddleware.GetRegion(ctx), prefix+":"+middleware.GetOperationName(ctx))
				epoch, err := w.acquire(ctx)
				if err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, err
				}
				out, md, err := next.HandleFinalize(ctx, in)
				w.release(epoch, congested(ctx, err))
				return out, md, err
			}), "Retry", middleware.After)
	}
}
