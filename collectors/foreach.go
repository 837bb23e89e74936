package collectors

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// ForEach runs fn for the indexes 0..n-1, at most limit at once (at least
// one), and stops starting new ones once ctx is done. It returns when every
// started fn has returned, with ctx.Err(). Collectors use it for their
// per-resource calls.
func ForEach(ctx context.Context, limit, n int, fn func(ctx context.Context, i int)) error {
	var g errgroup.Group
	g.SetLimit(max(limit, 1))
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			// The slot may have come free after ctx ended.
			if ctx.Err() == nil {
				fn(ctx, i)
			}
			return nil
		})
	}
	// fn reports its own errors; the group's is always nil.
	_ = g.Wait()
	return ctx.Err()
}
