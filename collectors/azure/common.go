package azure

import (
	"context"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// list reads every page of pager (the SDK follows nextLink) and passes
// each to fn. A subscription not registered for the resource provider
// (namespace ns) holds none of its resources: the listing is then empty,
// which is evidence, and the skip is recorded. Every other failure is
// returned, classified as operation op: never an empty estate.
func list[T any](ctx context.Context, src *Source, out collectors.Sink, pager *runtime.Pager[T], op, ns string, fn func(T)) error {
	first := true
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			if first && notRegistered(err) {
				collectors.Skip(out, ns, "the subscription is not registered for the resource provider "+ns+", so it holds none of its resources")
				return nil
			}
			return src.classify(err, op)
		}
		first = false
		fn(page)
	}
	return nil
}

// resourceGroup returns the resource group named in an ARM resource ID.
func resourceGroup(id string) string {
	segs := strings.Split(id, "/")
	for i := 0; i+1 < len(segs); i++ {
		if strings.EqualFold(segs[i], "resourceGroups") {
			return segs[i+1]
		}
	}
	return ""
}

// resource returns the evidence resource of an ARM resource, with its ID
// lower-cased (ARM IDs are case-insensitive) and its location as region.
func resource(typ, sub string, id, name, location *string, attrs map[string]any) evidence.Resource {
	return evidence.Resource{
		Type:       typ,
		ID:         strings.ToLower(str(id)),
		Name:       str(name),
		Account:    sub,
		Region:     strings.ToLower(str(location)),
		Attributes: attrs,
	}
}

// strs returns the non-nil strings of ps.
func strs(ps []*string) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}

// anyList converts a []string to the []any rules read lists as.
func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// lower returns *p lower-cased ("" for nil).
func lower(p *string) string { return strings.ToLower(str(p)) }

// each runs fn on every item of found that is not nil, the source's
// Concurrency at a time. fn records every failure on the sink itself and
// returns an error only when the run was stopped; each returns that error.
func each[T any](ctx context.Context, src *Source, found []*T, fn func(context.Context, *T) error) error {
	var mu sync.Mutex
	var stopped error
	err := collectors.ForEach(ctx, src.cfg.Concurrency, len(found), func(ctx context.Context, i int) {
		if found[i] == nil {
			return
		}
		if err := fn(ctx, found[i]); err != nil {
			mu.Lock()
			stopped = err
			mu.Unlock()
		}
	})
	if err != nil {
		return err
	}
	return stopped
}
