package collectors

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/attestdev/attest/collectors/evidence"
)

// Attribute-level planning. The runner knows which attributes the enabled
// rules read of each resource type (Runner.Reads, from the control
// library); a collector asks Wanted before a per-resource call, with the
// attributes that call yields, and skips the call when no enabled rule
// reads any of them. The run records what was left out
// (evidence.Run.Uncollected), so that evaluation makes a rule that reads
// it inconclusive instead of judging a missing value.

type readsKey struct{}

// planned holds the reads of a job and what its collector left out.
type planned struct {
	reads evidence.Reads
	mu    sync.Mutex
	left  map[evidence.Uncollected]bool
}

// withReads attaches the reads of the enabled rules to a job's context.
func withReads(ctx context.Context, p *planned) context.Context {
	return context.WithValue(ctx, readsKey{}, p)
}

// Wanted reports whether an enabled rule reads one of names of a resource
// of type typ whose attributes collected so far are attrs: always when
// the collector runs without a plan (tests, or a caller that does not
// know the rules), when one of names is read of every resource, or read
// under a where r.NAME whose NAME is true or not known in attrs. When it
// reports false, the job's run records names as uncollected; the caller
// then leaves them out of the resource.
func Wanted(ctx context.Context, typ string, attrs map[string]any, names ...string) bool {
	p, ok := ctx.Value(readsKey{}).(*planned)
	if !ok || p.reads == nil {
		return true
	}
	want, left := p.reads.Wanted(typ, attrs, names...)
	if want {
		return true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.left == nil {
		p.left = map[evidence.Uncollected]bool{}
	}
	for _, u := range left {
		p.left[u] = true
	}
	return false
}

// uncollected returns what the job's collector left out, sorted.
func (p *planned) uncollected() []evidence.Uncollected {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []evidence.Uncollected
	for u := range p.left {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b evidence.Uncollected) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Attribute, b.Attribute), cmp.Compare(a.Except, b.Except))
	})
	return out
}
