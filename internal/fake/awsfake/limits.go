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
// each by Latency, and throttles each account's operations per region with
// a token bucket, as AWS does per API, account and region. Its zero value
// only counts. Use it in benchmarks, never in unit tests, which must not
// sleep.
type Limits struct {
	// Latency is added to every request.
	Latency time.Duration
	// Rate is the sustained requests per second allowed per account,
	// region and operation; 0 means unlimited, unless Documented is set.
	Rate float64
	// Burst is the bucket size; 0 means max(1, Rate).
	Burst int
	// Documented, when set, takes every operation's bucket from
	// DocumentedBucket instead of Rate and Burst.
	Documented bool

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
			key := req.AccessKey + " " + req.Region + " " + req.Op()
			if req.Service == "s3" && req.Bucket != "" {
				// S3 scales per bucket prefix, not per account.
				key += " " + req.Bucket
			}
			if wait, ok := l.allow(key, req); !ok {
				l.throttled.Add(1)
				if !l.Documented {
					// Kept for the tests of the uniform mode; AWS sends no
					// such header, so the documented mode leaves it out.
					w.Header().Set("X-Amz-Retry-After", strconv.FormatInt(wait.Milliseconds(), 10))
				}
				switch req.Service {
				case "s3":
					writeError(w, req, http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
				case "ec2":
					writeError(w, req, http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
				default:
					writeError(w, req, http.StatusBadRequest, "Throttling", "Rate exceeded")
				}
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// allow takes a token of key's bucket and counts req's operation. When
// the bucket is empty it returns how long until the next token.
func (l *Limits) allow(key string, req *Request) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ops == nil {
		l.ops = map[string]int64{}
	}
	l.ops[req.Op()]++
	rate, burst := l.Rate, float64(l.Burst)
	if l.Documented {
		b := DocumentedBucket(req.Service, req.Operation)
		rate, burst = b.Rate, b.Burst
	}
	if rate <= 0 {
		return 0, true
	}
	if burst <= 0 {
		burst = max(1, rate)
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
	b.tokens = min(burst, b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) / rate * float64(time.Second)), false
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

// A TokenBucket is a token bucket: Burst requests at once, refilled at Rate a
// second.
type TokenBucket struct {
	Rate, Burst float64
	// Source is the documentation the numbers come from.
	Source string
}

// Documentation of the buckets DocumentedBucket returns.
const (
	docEC2 = "https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html"
	docKMS = "https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html"
	docS3  = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html"
)

// DocumentedBucket returns the token bucket AWS documents for an
// operation, per account and region (for S3, per bucket prefix):
//
//   - EC2 non-mutating actions (Describe*, Get*): 100 tokens, refilled at
//     20 a second, per API;
//   - KMS: ListKeys 100, DescribeKey 2,000 and GetKeyRotationStatus 1,000
//     requests a second (the default quotas, adjustable);
//   - S3: 5,500 GET and HEAD requests a second per bucket prefix;
//   - any other operation: AWS publishes no bucket for most of the
//     read APIs attest calls (IAM, RDS, CloudTrail, GuardDuty, ...), so they
//     get EC2's non-mutating bucket, the one AWS does publish, as a stand-in.
func DocumentedBucket(service, operation string) TokenBucket {
	ec2 := TokenBucket{Rate: 20, Burst: 100, Source: docEC2}
	switch service {
	case "kms":
		switch operation {
		case "ListKeys":
			return TokenBucket{Rate: 100, Burst: 100, Source: docKMS}
		case "DescribeKey":
			return TokenBucket{Rate: 2000, Burst: 2000, Source: docKMS}
		case "GetKeyRotationStatus":
			return TokenBucket{Rate: 1000, Burst: 1000, Source: docKMS}
		}
	case "s3":
		return TokenBucket{Rate: 5500, Burst: 5500, Source: docS3}
	}
	return ec2
}
