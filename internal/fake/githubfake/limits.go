package githubfake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits wraps a handler for benchmarks with GitHub's rate limits: a
// primary limit of PerWindow requests per Window (GitHub: 5,000 per hour
// for a token) answered with 403 and X-RateLimit-Remaining: 0 plus
// X-RateLimit-Reset, and a secondary limit on concurrent requests answered
// with 403 and Retry-After. It delays every request by Latency and counts
// them. Its zero value only counts. Use it in benchmarks, never in unit
// tests, which must not sleep.
type Limits struct {
	// Latency is added to every request.
	Latency time.Duration
	// PerWindow is the primary limit; 0 means unlimited.
	PerWindow int
	// Window is the primary limit's period; 0 means one hour.
	Window time.Duration
	// MaxConcurrent is the secondary limit; 0 means unlimited (GitHub
	// documents 100).
	MaxConcurrent int

	calls, throttled, inflight atomic.Int64
	mu                         sync.Mutex
	windowStart                time.Time
	used                       int
	ops                        map[string]int64
}

// Wrap returns h behind the limits.
func (l *Limits) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.calls.Add(1)
		n := l.inflight.Add(1)
		defer l.inflight.Add(-1)
		if l.Latency > 0 {
			time.Sleep(l.Latency)
		}
		if l.MaxConcurrent > 0 && n > int64(l.MaxConcurrent) {
			l.throttled.Add(1)
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"message":"You have exceeded a secondary rate limit."}`, http.StatusForbidden)
			return
		}
		remaining, reset, ok := l.take(r)
		if l.PerWindow > 0 {
			w.Header().Set("X-RateLimit-Limit", strconv.Itoa(l.PerWindow))
			w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		}
		if !ok {
			l.throttled.Add(1)
			http.Error(w, `{"message":"API rate limit exceeded."}`, http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// take counts r against the primary limit.
func (l *Limits) take(r *http.Request) (remaining int, reset time.Time, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ops == nil {
		l.ops = map[string]int64{}
	}
	l.ops[route(r)]++
	window := l.Window
	if window <= 0 {
		window = time.Hour
	}
	now := time.Now()
	if l.windowStart.IsZero() || now.Sub(l.windowStart) >= window {
		l.windowStart, l.used = now, 0
	}
	reset = l.windowStart.Add(window)
	if l.PerWindow <= 0 {
		return 0, reset, true
	}
	if l.used >= l.PerWindow {
		return 0, reset, false
	}
	l.used++
	return l.PerWindow - l.used, reset, true
}

// route names a request by method and path with the organisation and
// repository replaced, e.g. "GET /repos/{owner}/{repo}/branches/{branch}/protection".
func route(r *http.Request) string {
	segs := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/v3"), "/"), "/")
	switch {
	case len(segs) >= 3 && segs[0] == "repos":
		segs[1], segs[2] = "{owner}", "{repo}"
		if len(segs) >= 5 && segs[3] == "branches" {
			segs[4] = "{branch}"
		}
		if len(segs) >= 5 && (segs[3] == "pulls" || segs[3] == "rulesets") {
			segs[4] = "{id}"
		}
		if len(segs) >= 6 && segs[3] == "actions" && segs[4] == "workflows" {
			segs[5] = "{id}"
		}
	case len(segs) >= 2 && segs[0] == "orgs":
		segs[1] = "{org}"
	}
	return fmt.Sprintf("%s /%s", r.Method, strings.Join(segs, "/"))
}

// Calls returns how many requests were served, limited ones included.
func (l *Limits) Calls() int64 { return l.calls.Load() }

// Throttled returns how many requests were refused by a limit.
func (l *Limits) Throttled() int64 { return l.throttled.Load() }

// Operations returns the requests per route.
func (l *Limits) Operations() map[string]int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int64, len(l.ops))
	for k, v := range l.ops {
		out[k] = v
	}
	return out
}
