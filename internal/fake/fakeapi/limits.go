package fakeapi

import (
	"maps"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// A Bucket is one documented rate limit, modelled as a token bucket: Burst
// tokens, refilled at Rate a second. A limit documented as N per window is
// a bucket of N refilled at N / window (a client that spends the window's
// allowance at once waits about as long as the fixed window would make it).
//
// With Window set, the limit is a fixed window instead, as GitLab's is:
// Burst requests per Window, the window starting at the first request, and
// a refused request is told to wait until the window ends.
type Bucket struct {
	// Name names the limit in floors and logs.
	Name        string
	Burst, Rate float64
	Window      time.Duration
}

// A Charge is what one request costs: tokens from the bucket named Bucket,
// in the scope Scope (a tenant, a subscription, a user).
type Charge struct {
	Bucket, Scope string
	Cost          float64
}

// Limits wraps a fake for benchmarks: it delays every request by Latency,
// counts it under the operation name Op gives it and, when Enforce is set,
// charges it to the buckets Charges names and answers Throttle (with the
// time until the bucket holds enough tokens) instead of serving it when a
// bucket is short. Its zero value with Op set only counts. Use it in
// benchmarks, never in unit tests, which must not sleep.
type Limits struct {
	Latency time.Duration
	Enforce bool
	// Buckets are the documented limits by name.
	Buckets map[string]Bucket
	// Op names the operation of a request, for counting.
	Op func(*http.Request) string
	// Charges returns what a request costs.
	Charges func(*http.Request) []Charge
	// Throttle answers a refused request in the provider's wire format.
	Throttle func(w http.ResponseWriter, retryAfter time.Duration)

	calls, throttled atomic.Int64
	mu               sync.Mutex
	ops              map[string]int64
	state            map[[2]string]*tokens
}

type tokens struct {
	n    float64
	last time.Time
}

// Wrap returns h behind the limits.
func (l *Limits) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.calls.Add(1)
		l.count(r)
		if l.Latency > 0 {
			time.Sleep(l.Latency)
		}
		if l.Enforce && l.Charges != nil {
			if wait := l.take(l.Charges(r)); wait > 0 {
				l.throttled.Add(1)
				l.Throttle(w, wait)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

func (l *Limits) count(r *http.Request) {
	op := r.Method + " " + r.URL.Path
	if l.Op != nil {
		op = l.Op(r)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ops == nil {
		l.ops = map[string]int64{}
	}
	l.ops[op]++
}

// take charges every bucket of cs when all hold enough tokens and returns
// 0; otherwise it charges none and returns how long until they would.
func (l *Limits) take(cs []Charge) time.Duration {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state == nil {
		l.state = map[[2]string]*tokens{}
	}
	var wait time.Duration
	for _, c := range cs {
		b := l.Buckets[c.Bucket]
		t := l.state[[2]string{c.Bucket, c.Scope}]
		if t == nil {
			t = &tokens{n: b.Burst, last: now}
			l.state[[2]string{c.Bucket, c.Scope}] = t
		}
		if b.Window > 0 {
			// t.last is the window's start.
			if now.Sub(t.last) >= b.Window {
				t.n, t.last = b.Burst, now
			}
			if c.Cost > t.n {
				wait = max(wait, t.last.Add(b.Window).Sub(now))
			}
			continue
		}
		t.n = math.Min(b.Burst, t.n+now.Sub(t.last).Seconds()*b.Rate)
		t.last = now
		if short := c.Cost - t.n; short > 0 && b.Rate > 0 {
			wait = max(wait, time.Duration(math.Ceil(short/b.Rate*1e3))*time.Millisecond)
		}
	}
	if wait > 0 {
		return wait
	}
	for _, c := range cs {
		l.state[[2]string{c.Bucket, c.Scope}].n -= c.Cost
	}
	return 0
}

// Calls returns the requests received, refused ones included.
func (l *Limits) Calls() int64 { return l.calls.Load() }

// Throttled returns the requests refused by a bucket.
func (l *Limits) Throttled() int64 { return l.throttled.Load() }

// Operations returns the requests received per operation.
func (l *Limits) Operations() map[string]int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.ops)
}
