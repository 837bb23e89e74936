package gate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/attestdev/attest/collectors/evidence"
)

// A Collection is the verdict over the runs of one collection: it passes
// only when every collector run completed.
type Collection struct {
	// Runs counts every run, Incomplete the partial and failed ones.
	Runs       int `json:"runs"`
	Incomplete int `json:"incomplete"`
	// Failed and Partial name the runs that did not complete, as
	// "collector target".
	Failed  []string `json:"failed"`
	Partial []string `json:"partial"`
	// causes maps a kind and what it concerns to the runs it hit.
	causes map[Cause][]string
}

// Collect returns the verdict over runs.
func Collect(runs []evidence.Run) *Collection {
	c := &Collection{Runs: len(runs), causes: map[Cause][]string{}}
	for _, r := range runs {
		if r.Status == evidence.Complete {
			continue
		}
		c.Incomplete++
		name := r.Collector + " " + r.Target.String()
		if r.Status == evidence.Failed {
			c.Failed = append(c.Failed, name)
		} else {
			c.Partial = append(c.Partial, name)
		}
		for _, f := range r.Failures {
			k := Cause{Kind: kindOf(f.Kind), What: what(f.Permission, f.Operation, r.Target)}
			c.causes[k] = append(c.causes[k], name)
		}
		if len(r.Failures) == 0 {
			k := Cause{Kind: Unreachable, What: r.Target.String()}
			c.causes[k] = append(c.causes[k], name)
		}
	}
	slices.Sort(c.Failed)
	slices.Sort(c.Partial)
	return c
}

// Pass reports whether every run completed.
func (c *Collection) Pass() bool { return c.Incomplete == 0 }

// Message says which runs did not complete and why, grouped by kind and
// by the permission, operation or target concerned; empty when all did.
func (c *Collection) Message() string {
	if c.Pass() {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "attest: %d of %d collector runs did not complete (%d failed, %d partial); the controls that rest on them will be inconclusive:\n",
		c.Incomplete, c.Runs, len(c.Failed), len(c.Partial))
	keys := slices.SortedFunc(maps.Keys(c.causes), func(a, b Cause) int {
		if d := slices.Index(Kinds, a.Kind) - slices.Index(Kinds, b.Kind); d != 0 {
			return d
		}
		return strings.Compare(a.What, b.What)
	})
	last := Kind("")
	for _, k := range keys {
		if k.Kind != last {
			fmt.Fprintf(&b, "  %s: %s\n", k.Kind, kindHelp[k.Kind])
			last = k.Kind
		}
		runs := slices.Compact(slices.Sorted(slices.Values(c.causes[k])))
		fmt.Fprintf(&b, "    %s: %s\n", k.What, abbreviate(runs, 5))
	}
	return b.String()
}
