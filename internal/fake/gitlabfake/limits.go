package gitlabfake

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/attestdev/attest/internal/fake/fakeapi"
)

// UserBucket is GitLab.com's documented limit on authenticated API
// traffic (https://docs.gitlab.com/user/gitlab_com/rate_limits/):
// 2,000 requests a minute per user, REST and GraphQL together, counted in
// fixed one-minute windows (a refused request is told to retry when the
// window ends).
var UserBucket = fakeapi.Bucket{Name: "GitLab.com authenticated API (2,000 requests / min per user)", Burst: 2000, Window: time.Minute}

// Limits returns the fake's limits for a benchmark: latency on every
// request, counted per operation ("gitlab: GET /groups/{}/projects"), and,
// when enforce is set, GitLab.com's per-user API limit, answered as GitLab
// does: 429, "Retry later", Retry-After and the RateLimit headers.
func Limits(latency time.Duration, enforce bool) *fakeapi.Limits {
	return &fakeapi.Limits{
		Latency: latency, Enforce: enforce,
		Buckets: map[string]fakeapi.Bucket{"user": UserBucket},
		Op:      func(r *http.Request) string { return Op(r.Method, r.URL.EscapedPath()) },
		Charges: func(*http.Request) []fakeapi.Charge {
			return []fakeapi.Charge{{Bucket: "user", Scope: "token", Cost: 1}}
		},
		Throttle: func(w http.ResponseWriter, retry time.Duration) {
			secs := int(math.Ceil(retry.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			w.Header().Set("RateLimit-Limit", "2000")
			w.Header().Set("RateLimit-Remaining", "0")
			w.Header().Set("RateLimit-Reset", strconv.FormatInt(time.Now().Add(retry).Unix(), 10))
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte("Retry later\n"))
		},
	}
}

// Op is the benchmark's operation name of a GitLab request: the path
// under /api/v4 with IDs and paths replaced by {}.
func Op(method, path string) string {
	if path == "/api/graphql" {
		return "gitlab: " + method + " /api/graphql"
	}
	segs := strings.Split(strings.Trim(strings.TrimPrefix(path, "/api/v4"), "/"), "/")
	for i := 1; i < len(segs); i++ {
		switch segs[i-1] {
		case "groups", "projects", "merge_requests", "pipelines", "jobs":
			if segs[i] != "latest" {
				segs[i] = "{}"
			}
		}
	}
	return "gitlab: " + method + " /" + strings.Join(segs, "/")
}
