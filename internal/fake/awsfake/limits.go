package awsfake

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Limits wraps a handler for benchmarks: it counts every request, delays
// each by Latency, and throttles each account's operations with a token
// bucket, as AWS does per API and account. Its zero value only counts. Use
// it in benchmarks, never in unit tests, which must not sleep.
type Limits struct {
	// Latency is added to every request.
	Latency time.Duration
	// Rate is the sustained requests per second allowed per account and
	// operation; 0 means unlimited.
	Rate float64
	// Burst is the bucket size; 0 means max(1, Rate).
	Burst int

	calls, throttled atomic.Int64
	mu               sync.Mutex
	buckets          map[string]*bucket
	ops              map[string]int64
}

type bucket struct {
	tokens float64
	last   time.Time
}

// Wrap returns h behind the limits.
func (l *Limits) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.calls.Add(1)
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		probe := r.Clone(r.Context())
		probe.Body = io.NopCloser(bytes.NewReader(body))
		r.Body = io.NopCloser(bytes.NewReader(body))
		req, perr := Parse(probe)
		if l.Latency > 0 {
			time.Sleep(l.Latency)
		}
		if perr == nil {
			if wait, ok := l.allow(req.AccessKey+" "+req.Op(), req.Op()); !ok {
				l.throttled.Add(1)
				// The SDK's retryer honours this header (in milliseconds).
				w.Header().Set("X-Amz-Retry-After", strconv.FormatInt(wait.Milliseconds(), 10))
				if req.Service == "s3" {
					writeError(w, req, http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
				} else {
					writeError(w, req, http.StatusBadRequest, "Throttling", "Rate exceeded")
				}
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// allow takes a token of key's bucket and counts op. When the bucket is
// empty it returns how long until the next token.
func (l *Limits) allow(key, op string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ops == nil {
		l.ops = map[string]int64{}
	}
	l.ops[op]++
	if l.Rate <= 0 {
		return 0, true
	}
	burst := float64(l.Burst)
	if burst <= 0 {
		burst = max(1, l.Rate)
	}
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	now := time.Now()
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(burst, b.tokens+now.Sub(b.last).Seconds()*l.Rate)
	b.last = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) / l.Rate * float64(time.Second)), false
	}
	b.tokens--
	return 0, true
}

// Calls returns how many requests were served, throttled ones included.
func (l *Limits) Calls() int64 { return l.calls.Load() }

// Throttled returns how many requests were throttled.
func (l *Limits) Throttled() int64 { return l.throttled.Load() }

// Operations returns the requests per operation, e.g. "s3:GetBucketEncryption".
func (l *Limits) Operations() map[string]int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int64, len(l.ops))
	for k, v := range l.ops {
		out[k] = v
	}
	return out
}
