package main

import (
	"context"
	"fmt"
	"time"
)

// timeoutFlagUsage documents --timeout of collect and check.
const timeoutFlagUsage = `bound on the whole collection, e.g. 10m (0: none). When it passes, the bundle keeps what was collected and records every collector that had not finished as a failed run (timeout), so its controls are inconclusive, never empty`

// withCollectTimeout returns ctx bounded by d, whose cause names the flag,
// or ctx unchanged when d is 0.
func withCollectTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, d, fmt.Errorf("--timeout %s reached: %w", d, context.DeadlineExceeded))
}
