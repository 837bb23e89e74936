package githubfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits wraps a handler for benchmarks with GitHub's documented rate
// limits (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api,
// https://docs.github.com/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api):
//
//   - the REST primary limit, PerWindow requests per Window (5,000 an hour
//     for a token), answered with 403, X-RateLimit-Remaining: 0 and
//     X-RateLimit-Reset;
//   - the GraphQL primary limit, GraphQLPerWindow points per Window (5,000
//     an hour), a query costing its point value (QueryCost), answered with
//     HTTP 200 and a RATE_LIMITED error;
//   - the secondary limits: RESTPointsPerMinute (900) and
//     GraphQLPointsPerMinute (2,000), a GET or a query costing 1 point and
//     any other method or a mutation 5, and MaxConcurrent requests in
//     flight (100, REST and GraphQL together), answered with 403, a
//     message naming the secondary rate limit and Retry-After.
//
// It delays every request by Latency and counts them. Its zero value only
// counts. Use it in benchmarks, never in unit tests, which must not sleep.
type Limits struct {
	// Latency is added to every request.
	Latency time.Duration
	// PerWindow is the REST primary limit; 0 means unlimited.
	PerWindow int
	// GraphQLPerWindow is the GraphQL primary limit in points; 0 means
	// unlimited.
	GraphQLPerWindow int
	// Window is the primary limits' period; 0 means one hour.
	Window time.Duration
	// RESTPointsPerMinute and GraphQLPointsPerMinute are the secondary
	// point limits; 0 means unlimited (GitHub documents 900 and 2,000).
	RESTPointsPerMinute, GraphQLPointsPerMinute int
	// MaxConcurrent is the secondary limit on requests in flight; 0 means
	// unlimited (GitHub documents 100).
	MaxConcurrent int

	calls, throttled, inflight atomic.Int64
	mu                         sync.Mutex
	windowStart                time.Time
	used, gqlUsed              int
	minuteStart                time.Time
	restPoints, gqlPoints      int
	ops                        map[string]int64
}

// secondaryMessage is GitHub's body for a secondary rate limit.
const secondaryMessage = `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits","status":"403"}`

// Wrap returns h behind the limits.
func (l *Limits) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.calls.Add(1)
		n := l.inflight.Add(1)
		defer l.inflight.Add(-1)
		graphql := strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/"), "/graphql")
		cost, points := 1, 1
		if graphql {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			var req struct {
				Query     string         `json:"query"`
				Variables map[string]any `json:"variables"`
			}
			_ = json.Unmarshal(body, &req)
			cost = QueryCost(req.Query, req.Variables)
			if strings.HasPrefix(strings.TrimSpace(req.Query), "mutation") {
				points = 5
			}
		} else if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions {
			points = 5
		}
		if l.Latency > 0 {
			time.Sleep(l.Latency)
		}
		if l.MaxConcurrent > 0 && n > int64(l.MaxConcurrent) {
			l.count(r)
			l.secondary(w, time.Second)
			return
		}
		d := l.take(r, graphql, cost, points)
		if l.PerWindow > 0 || l.GraphQLPerWindow > 0 {
			limit := l.PerWindow
			if graphql {
				limit = l.GraphQLPerWindow
			}
			w.Header().Set("X-RateLimit-Limit", strconv.Itoa(limit))
			w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(d.remaining))
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(d.reset.Unix(), 10))
			w.Header().Set("X-RateLimit-Resource", map[bool]string{true: "graphql", false: "core"}[graphql])
		}
		switch {
		case d.retry > 0:
			l.secondary(w, d.retry)
		case !d.ok && graphql:
			l.throttled.Add(1)
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			fmt.Fprint(w, `{"errors":[{"type":"RATE_LIMITED","message":"API rate limit exceeded for user ID 1."}]}`)
		case !d.ok:
			l.throttled.Add(1)
			http.Error(w, `{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit"}`, http.StatusForbidden)
		default:
			h.ServeHTTP(w, r)
		}
	})
}

// secondary answers a request refused by a secondary limit.
func (l *Limits) secondary(w http.ResponseWriter, retry time.Duration) {
	l.throttled.Add(1)
	w.Header().Set("Retry-After", strconv.Itoa(int((retry+time.Second-1)/time.Second)))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprint(w, secondaryMessage)
}

// decision is what the limits decided about one request.
type decision struct {
	remaining int
	reset     time.Time
	ok        bool
	// retry is set when a secondary point limit refused the request: the
	// time until its minute ends.
	retry time.Duration
}

// count counts r's route.
func (l *Limits) count(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.countLocked(r)
}

func (l *Limits) countLocked(r *http.Request) {
	if l.ops == nil {
		l.ops = map[string]int64{}
	}
	l.ops[route(r)]++
}

// take counts r against the limits: cost against the primary limit of its
// API, points against the secondary limit of its API.
func (l *Limits) take(r *http.Request, graphql bool, cost, points int) decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.countLocked(r)
	window := l.Window
	if window <= 0 {
		window = time.Hour
	}
	now := time.Now()
	if l.windowStart.IsZero() || now.Sub(l.windowStart) >= window {
		l.windowStart, l.used, l.gqlUsed = now, 0, 0
	}
	if l.minuteStart.IsZero() || now.Sub(l.minuteStart) >= time.Minute {
		l.minuteStart, l.restPoints, l.gqlPoints = now, 0, 0
	}
	d := decision{reset: l.windowStart.Add(window), ok: true}
	pts, perMinute, used, limit := &l.restPoints, l.RESTPointsPerMinute, &l.used, l.PerWindow
	if graphql {
		pts, perMinute, used, limit = &l.gqlPoints, l.GraphQLPointsPerMinute, &l.gqlUsed, l.GraphQLPerWindow
	}
	if perMinute > 0 && *pts+points > perMinute {
		d.retry = l.minuteStart.Add(time.Minute).Sub(now)
		return d
	}
	*pts += points
	if limit <= 0 {
		return d
	}
	if *used+cost > limit {
		d.ok = false
		return d
	}
	*used += cost
	d.remaining = limit - *used
	return d
}

// QueryCost returns the primary rate limit points of a GraphQL query by
// GitHub's documented formula: the requests needed to fulfil every
// connection (a connection's first or last argument times the
// connections enclosing it), divided by 100 and rounded to the nearest
// whole number, at least 1. A first or last given as a variable takes the
// variable's value, or 100 when it is not set.
func QueryCost(query string, vars map[string]any) int {
	requests := 0
	mult := []int{1}
	pending := 0 // the page size of a connection whose selection opens next
	for i := 0; i < len(query); i++ {
		switch c := query[i]; {
		case c == '{':
			m := mult[len(mult)-1]
			if pending > 0 {
				requests += m
				m *= pending
				pending = 0
			}
			mult = append(mult, m)
		case c == '}':
			if len(mult) > 1 {
				mult = mult[:len(mult)-1]
			}
		case strings.HasPrefix(query[i:], "first:") || strings.HasPrefix(query[i:], "last:"):
			j := i + strings.IndexByte(query[i:], ':') + 1
			for j < len(query) && query[j] == ' ' {
				j++
			}
			k := j
			for k < len(query) && argByte(query[k]) {
				k++
			}
			pending = pageSize(query[j:k], vars)
			i = k - 1
		}
	}
	return max(1, (requests+50)/100)
}

// argByte reports whether c may be part of an argument: a number or a
// $variable.
func argByte(c byte) bool {
	return c == '$' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// pageSize resolves a first/last argument: a literal, or a variable.
func pageSize(arg string, vars map[string]any) int {
	if v, ok := strings.CutPrefix(arg, "$"); ok {
		if f, ok := vars[v].(float64); ok {
			return int(f)
		}
		return 100
	}
	n, err := strconv.Atoi(arg)
	if err != nil || n <= 0 {
		return 100
	}
	return n
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
