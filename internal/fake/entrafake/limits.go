package entrafake

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/attestdev/attest/internal/fake/fakeapi"
)

// Microsoft Graph's documented limits for what the entra collectors read
// (https://learn.microsoft.com/graph/throttling-limits): the identity and
// access service allows an app 8,000 resource units per 10 seconds in a
// large tenant (more than 500 users); the identity and access reports
// service five requests per 10 seconds per app and tenant.
var (
	IdentityBucket = fakeapi.Bucket{Name: "Graph identity and access (8,000 resource units / 10 s per app and tenant)", Burst: 8000, Rate: 800}
	ReportsBucket  = fakeapi.Bucket{Name: "Graph identity and access reports (5 requests / 10 s per app and tenant)", Burst: 5, Rate: 0.5}
)

// Limits returns the fake's limits for a benchmark: latency on every
// request, counted per operation ("entra: GET /users"), and, when enforce
// is set, Graph's documented limits, answered with 429 and Retry-After.
func Limits(latency time.Duration, enforce bool) *fakeapi.Limits {
	return &fakeapi.Limits{
		Latency: latency, Enforce: enforce,
		Buckets: map[string]fakeapi.Bucket{"identity": IdentityBucket, "reports": ReportsBucket},
		Op:      func(r *http.Request) string { return Op(r.Method, r.URL.Path) },
		Charges: func(r *http.Request) []fakeapi.Charge {
			b, cost := Cost(r.URL.Path, r.URL.Query().Get("$select") != "", r.URL.Query().Get("$expand") != "")
			if b == "" {
				return nil
			}
			return []fakeapi.Charge{{Bucket: b, Scope: "tenant", Cost: cost}}
		},
		Throttle: func(w http.ResponseWriter, retry time.Duration) {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
			writeError(w, http.StatusTooManyRequests, "TooManyRequests", "Too many requests. Please retry after the time in the Retry-After header.")
		},
	}
}

// Op is the benchmark's operation name of a Graph request.
func Op(method, path string) string {
	return "entra: " + method + " " + strings.TrimPrefix(path, "/v1.0")
}

// Cost returns the bucket ("identity", "reports" or "" for a service whose
// limits are not simulated) and the cost of a GET of path: a request for
// the reports service; resource units for identity and access, where
// listing users costs 2, $select takes 1 off and $expand adds 1, and other
// requests cost 1 (the documented base costs).
func Cost(path string, selects, expands bool) (string, float64) {
	p := strings.TrimPrefix(path, "/v1.0")
	switch {
	case strings.HasPrefix(p, "/reports/"):
		return "reports", 1
	case strings.HasPrefix(p, "/identity/conditionalAccess/"):
		// Identity protection and Conditional Access: a service of its
		// own; one page, not simulated.
		return "", 0
	}
	cost := 1.0
	if p == "/users" {
		cost = 2
		if selects {
			cost--
		}
	}
	if expands {
		cost++
	}
	return "identity", cost
}
