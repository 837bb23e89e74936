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
	"golang.org/x/time/rate"

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
// attempt counts, retries included. Each limit is a token bucket
// (golang.org/x/time/rate) with a burst of one call. It is safe for
// concurrent use.
type rateLimits struct {
	limits map[string]float64
	// sleep waits for d or until ctx ends (a fake clock in tests).
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time

	mu       sync.Mutex
	limiters map[string]*rate.Limiter // per region and limit key
}

func newRateLimits(limits map[string]float64) *rateLimits {
	return &rateLimits{limits: limits, sleep: collectors.Sleep, now: time.Now, limiters: map[string]*rate.Limiter{}}
}

// wait blocks until a call of action (e.g. "s3:GetBucketPolicy") in region
// may start.
func (l *rateLimits) wait(ctx context.Context, region, action string) error {
	key := action
	perSecond, ok := l.limits[key]
	if !ok {
		key = serviceOf(action)
		if perSecond, ok = l.limits[key]; !ok {
			return nil
		}
	}
	l.mu.Lock()
	k := region + " " + key
	lim := l.limiters[k]
	if lim == nil {
		lim = rate.NewLimiter(rate.Limit(perSecond), 1)
		l.limiters[k] = lim
	}
	l.mu.Unlock()
	// Reserve at the source's clock rather than Wait, so that tests drive
	// the limiter with a fake clock and sleep.
	now := l.now()
	return l.sleep(ctx, lim.ReserveN(now, 1).DelayFrom(now))
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
