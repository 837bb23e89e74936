package collectors

import (
	"context"
	"sync"
)

// ForEach runs fn for the indexes 0..n-1, at most limit at once (at least
// one), and stops starting new ones once ctx is done. It returns when every
// started fn has returned, with ctx.Err(). Collectors use it for their
// per-resource calls.
func ForEach(ctx context.Context, limit, n int, fn func(ctx context.Context, i int)) error {
	sem := make(chan struct{}, max(limit, 1))
	var wg sync.WaitGroup
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			fn(ctx, i)
		})
	}
	wg.Wait()
	return ctx.Err()
}
