package azurefake

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/attestdev/attest/internal/fake/fakeapi"
)

// ReadBucket is Resource Manager's documented read limit
// (https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling):
// a token bucket of 250 reads refilled at 25 a second, per subscription
// and security principal (and the same per tenant for tenant-level reads
// such as management groups). It replaced the 12,000 reads an hour per
// principal in 2024.
var ReadBucket = fakeapi.Bucket{Name: "ARM reads (250 bucket, 25 / s per subscription and principal)", Burst: 250, Rate: 25}

// Limits returns the fake's limits for a benchmark: latency on every
// request, counted per operation ("azure: GET /subscriptions/{}/providers/microsoft.storage/storageaccounts"),
// and, when enforce is set, Resource Manager's read bucket per
// subscription, answered with 429, Retry-After and
// x-ms-ratelimit-remaining-subscription-reads. Resource providers' own
// limits are not simulated.
func Limits(latency time.Duration, enforce bool) *fakeapi.Limits {
	return &fakeapi.Limits{
		Latency: latency, Enforce: enforce,
		Buckets: map[string]fakeapi.Bucket{"reads": ReadBucket},
		Op:      func(r *http.Request) string { return Op(r.Method, r.URL.Path) },
		Charges: func(r *http.Request) []fakeapi.Charge {
			segs := strings.Split(strings.Trim(strings.ToLower(r.URL.Path), "/"), "/")
			scope := "tenant"
			if len(segs) >= 2 && segs[0] == "subscriptions" {
				scope = segs[1]
			}
			return []fakeapi.Charge{{Bucket: "reads", Scope: scope, Cost: 1}}
		},
		Throttle: func(w http.ResponseWriter, retry time.Duration) {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
			w.Header().Set("x-ms-ratelimit-remaining-subscription-reads", "0")
			WriteError(w, http.StatusTooManyRequests, "SubscriptionRequestsThrottled",
				"Number of 'read' requests for subscription actor exceeded. Please try again after "+strconv.Itoa(int(math.Ceil(retry.Seconds())))+" seconds.")
		},
	}
}

// named are the path segments followed by a name or ID.
var named = map[string]bool{"subscriptions": true, "resourcegroups": true, "servers": true, "databases": true,
	"flexibleservers": true, "configurations": true, "managementgroups": true, "vaults": true}

// Op is the benchmark's operation name of a Resource Manager request: the
// lower-case path with names and IDs replaced by {}.
func Op(method, path string) string {
	segs := strings.Split(strings.Trim(strings.ToLower(path), "/"), "/")
	for i := 1; i < len(segs); i++ {
		if named[segs[i-1]] {
			segs[i] = "{}"
		}
	}
	return "azure: " + method + " /" + strings.Join(segs, "/")
}
