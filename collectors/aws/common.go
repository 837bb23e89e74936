package aws

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// fail records that attrs of res could not be read because of err, and
// reports the failure to out.
func fail(out collectors.Sink, res *evidence.Resource, err error, attrs ...string) {
	for _, a := range attrs {
		res.Gaps = append(res.Gaps, collectors.GapOf(err, a))
	}
	out.Fail(collectors.FailureOf(err, res.ID))
}

// cancelled returns ctx's error, wrapped, when ctx is done, so a collector
// never reports a cancelled run as complete.
func cancelled(ctx context.Context, what string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("aws %s: %w", what, err)
	}
	return nil
}

// timestamp formats t as RFC 3339 UTC, or "" for nil or zero.
func timestamp(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// residency sets attribute region_allowed of res from the configured
// allowed regions, or records a gap when none are configured.
func (s *Source) residency(res *evidence.Resource, region string) {
	if len(s.cfg.AllowedRegions) == 0 {
		res.Gaps = append(res.Gaps, evidence.Gap{Attribute: "region_allowed", Kind: evidence.Errored,
			Message: "aws.allowed_regions is not configured"})
		return
	}
	res.Attributes["region_allowed"] = slices.Contains(s.cfg.AllowedRegions, region)
}

// regionAllowedAttr documents the residency attribute of data stores.
var regionAllowedAttr = collectors.Attribute{Name: "region_allowed", Type: "bool",
	Doc: "The region is in aws.allowed_regions; missing (a gap) when no allowed regions are configured."}

// stringList returns ss as a list attribute (never nil, so that an empty
// list is recorded as [] and not left out).
func stringList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// describeEach runs describe for every listed item, at most limit at once,
// and emits, sorted, the resources of the items not deleted since the
// listing (describe reports gone for those). op names the per-item call in
// the error of a cancelled run.
func describeEach[T any](ctx context.Context, limit int, op string, items []T, describe func(ctx context.Context, item T) (res evidence.Resource, gone bool), out collectors.Sink) error {
	all := make([]evidence.Resource, len(items))
	gone := make([]bool, len(items))
	if err := collectors.ForEach(ctx, limit, len(items), func(ctx context.Context, i int) {
		all[i], gone[i] = describe(ctx, items[i])
	}); err != nil {
		return fmt.Errorf("aws %s: %w", op, err)
	}
	var rs []evidence.Resource
	for i, r := range all {
		if !gone[i] {
			rs = append(rs, r)
		}
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}
