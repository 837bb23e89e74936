package aws

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"

	"github.com/attestdev/attest/collectors"
)

// rateKeyPattern is the shape of an aws.rate_limits key: an IAM action
// prefix ("iam") or an action ("s3:GetBucketPolicy").
var rateKeyPattern = regexp.MustCompile(`^[a-z0-9-]+(:[A-Za-z0-9]+)?$`)

// CheckRateLimit reports what is wrong with one aws.rate_limits entry.
func CheckRateLimit(key string, perSecond float64) error {
	if !rateKeyPattern.MatchString(key) {
		return fmt.Errorf("key %q: want a service prefix such as \"iam\" or an action such as \"s3:GetBucketPolicy\"", key)
	}
	if perSecond <= 0 {
		return fmt.Errorf("%s: %v requests per second: want a positive number", key, perSecond)
	}
	return nil
}

// rateLimits spaces the calls of one account to the services and actions
// that aws.rate_limits names: each limit holds per region (as AWS
// throttles), and an action's own limit replaces its service's. Every
// attempt counts, retries included. It is safe for concurrent use.
type rateLimits struct {
	limits map[string]float64
	// sleep waits for d or until ctx ends (a fake clock in tests).
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time

	mu   sync.Mutex
	next map[string]time.Time // per region and limit key: the earliest start of the next call
}

func newRateLimits(limits map[string]float64) *rateLimits {
	return &rateLimits{limits: limits, sleep: collectors.Sleep, now: time.Now, next: map[string]time.Time{}}
}

// wait blocks until a call of action (e.g. "s3:GetBucketPolicy") in region
// may start.
func (l *rateLimits) wait(ctx context.Context, region, action string) error {
	key := action
	rate, ok := l.limits[key]
	if !ok {
		key = serviceOf(action)
		if rate, ok = l.limits[key]; !ok {
			return nil
		}
	}
	interval := time.Duration(float64(time.Second) / rate)
	l.mu.Lock()
	now, k := l.now(), region+" "+key
	start := l.next[k]
	if start.Before(now) {
		start = now
	}
	l.next[k] = start.Add(interval)
	l.mu.Unlock()
	return l.sleep(ctx, start.Sub(now))
}

func serviceOf(action string) string {
	svc, _, _ := strings.Cut(action, ":")
	return svc
}

// middleware returns the SDK option that waits for l before every attempt
// of every call.
func (l *rateLimits) middleware() func(*middleware.Stack) error {
	return func(st *middleware.Stack) error {
		return st.Finalize.Insert(middleware.FinalizeMiddlewareFunc("attest.RateLimit",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				prefix, ok := servicePrefixes[awsmiddleware.GetServiceID(ctx)]
				if ok {
					if err := l.wait(ctx, awsmiddleware.GetRegion(ctx), prefix+":"+middleware.GetOperationName(ctx)); err != nil {
						return middleware.FinalizeOutput{}, middleware.Metadata{}, err
					}
				}
				return next.HandleFinalize(ctx, in)
			}), "Retry", middleware.After)
	}
}
