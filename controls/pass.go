package controls

import (
	"slices"
	"strings"
	"sync"

	"cel.dev/cel-go/common/types"

	"github.com/attestdev/attest/collectors/evidence"
)

// A pass is one worker's share of the single pass over a bundle's
// resources: each resource it is given is evaluated against every
// requirement of its type, and only what the results need is kept (a
// ResourceRef per resource, the findings, the tallies).
type pass struct {
	e       *evaluator
	vars    activation
	tallies []tally
	// refs are the references of the resources evaluated, by type; all,
	// in the order the pass made them. Until merge ranks them, a
	// reference's rank is its index in all, which findings keep instead
	// of a pointer (see mark).
	refs map[string][]*ResourceRef
	all  []*ResourceRef
	// manual are copies of the manual evidence records; gapped, of the
	// resources with gaps, without attributes.
	manual []evidence.Resource
	gapped []evidence.Resource
}

// newPass returns the pass of worker w.
func (e *evaluator) newPass(w int) *pass {
	p := &pass{e: e, vars: activation{now: types.Timestamp{Time: e.now}},
		tallies: make([]tally, len(e.reqs)), refs: map[string][]*ResourceRef{}}
	for i := range p.tallies {
		p.tallies[i].findings.pass = uint16(w)
	}
	return p
}

// noAttributes are the attributes of a resource that has none (or none
// the rules read); rules never modify them.
var noAttributes = map[string]any{}

// batch evaluates a batch of resources. It keeps no pointer into the
// batch: what it keeps of a resource is copied.
func (p *pass) batch(rs []evidence.Resource) error {
	for i := range rs {
		if err := p.resource(&rs[i]); err != nil {
			return err
		}
	}
	return nil
}

func (p *pass) resource(r *evidence.Resource) error {
	if err := p.e.ctx.Err(); err != nil {
		return err
	}
	if r.Type == ManualType {
		p.manual = append(p.manual, *r)
	}
	if len(r.Gaps) > 0 {
		g := *r
		g.Attributes = nil
		p.gapped = append(p.gapped, g)
	}
	idx := p.e.byType[r.Type]
	if len(idx) == 0 {
		return nil
	}
	ref := &ResourceRef{Resource: r.ID, Name: r.Name, Account: r.Account, Region: r.Region, Records: r.Records}
	ref.checkStrings()
	ref.rank = len(p.all)
	p.all = append(p.all, ref)
	p.refs[r.Type] = append(p.refs[r.Type], ref)
	attrs := r.Attributes
	if !p.e.decoded {
		attrs, _ = normalize(attrs).(map[string]any)
	}
	if attrs == nil {
		attrs = noAttributes
	}
	p.vars.set(r, attrs)
	defer p.vars.set(nil, nil)
	for _, i := range idx {
		if err := p.e.see(p.e.reqs[i], &p.tallies[i], &p.vars, r, ref); err != nil {
			return err
		}
	}
	return nil
}

// merge combines the workers' passes: it ranks the resources of each type
// in bundle order, finds the names that more than one resource of a type
// has, sorts the manual records, and returns the merged tally of every
// requirement and the resources with gaps, sorted.
func (e *evaluator) merge(passes []*pass) ([]tally, []evidence.Resource) {
	refs := map[string][]*ResourceRef{}
	var gapped []evidence.Resource
	for _, p := range passes {
		for typ, rs := range p.refs {
			refs[typ] = append(refs[typ], rs...)
		}
		e.manual = append(e.manual, p.manual...)
		gapped = append(gapped, p.gapped...)
		e.made = append(e.made, p.all)
		p.refs, p.all, p.manual, p.gapped = nil, nil, nil, nil
	}
	e.typeSize = map[string]int{}
	e.dupNames = map[uint64]bool{}
	dups := make([][]uint64, 0, len(refs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, len(passes))
	for typ, rs := range refs {
		e.typeSize[typ] = len(rs)
		wg.Go(func() {
			slots <- struct{}{}
			d := rank(typ, rs)
			<-slots
			mu.Lock()
			dups = append(dups, d)
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, d := range dups {
		for _, k := range d {
			e.dupNames[k] = true
		}
	}
	e.refs = refs
	evidence.SortResources(e.manual)
	evidence.SortResources(gapped)
	tallies := make([]tally, len(e.reqs))
	for i := range tallies {
		for _, p := range passes {
			tallies[i].merge(&p.tallies[i])
		}
	}
	for _, p := range passes {
		p.tallies = nil
	}
	return tallies, gapped
}

// rank orders the references of the resources of type typ as the bundle
// orders resources (see compareRefs), numbers them, and returns the keys
// (see nameKey) of the names more than one of them has. Types are ranked
// concurrently.
func rank(typ string, rs []*ResourceRef) []uint64 {
	slices.SortFunc(rs, compareRefs)
	seen := make(map[uint64]bool, len(rs))
	var dups []uint64
	for i, r := range rs {
		r.rank = i
		name := r.Name
		if name == "" {
			name = r.Resource
		}
		k := nameKey(typ, name)
		if seen[k] {
			dups = append(dups, k)
		}
		seen[k] = true
	}
	return dups
}

// compareRefs orders references as the bundle orders resources (account,
// region, id), then by name and records. It compares no further than it
// must: cmp.Or would compare every field every time.
func compareRefs(a, b *ResourceRef) int {
	if c := strings.Compare(a.Account, b.Account); c != 0 {
		return c
	}
	if c := strings.Compare(a.Region, b.Region); c != 0 {
		return c
	}
	if c := strings.Compare(a.Resource, b.Resource); c != 0 {
		return c
	}
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return slices.Compare(a.Records, b.Records)
}

// unrank clears the ranks the evaluation set, so that the references in
// the results compare equal to those read back from results.json.
func (e *evaluator) unrank() {
	for _, rs := range e.refs {
		for _, r := range rs {
			r.rank = 0
		}
	}
	e.refs, e.made = nil, nil
}

// inOrder returns the findings of a requirement over type typ in resource
// order. A resource has at most one finding per requirement, so they are
// placed by rank in linear time.
func (e *evaluator) inOrder(typ string, l *findingList) []Finding {
	if l.n == 0 {
		return nil
	}
	at := make([]*mark, e.typeSize[typ])
	for _, c := range l.chunks {
		for i := range c {
			at[e.ref(c[i]).rank] = &c[i]
		}
	}
	out := make([]Finding, 0, l.n)
	for _, m := range at {
		if m != nil {
			out = append(out, l.finding(e.ref(*m), m))
		}
	}
	return out
}

// refsInOrder returns references to resources of type typ in resource
// order.
func (e *evaluator) refsInOrder(typ string, rs []*ResourceRef) []*ResourceRef {
	if len(rs) == 0 {
		return nil
	}
	at := make([]*ResourceRef, e.typeSize[typ])
	for _, r := range rs {
		at[r.rank] = r
	}
	out := make([]*ResourceRef, 0, len(rs))
	for _, r := range at {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

// nameKey is the key of a type and name in dupNames: their FNV-1a hash.
// A collision could only add account and region to a label.
func nameKey(typ, name string) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for _, s := range []string{typ, "\x00", name} {
		for i := range len(s) {
			h ^= uint64(s[i])
			h *= prime
		}
	}
	return h
}

// ref returns the reference of the resource of finding m.
func (e *evaluator) ref(m mark) *ResourceRef {
	return e.made[m.pass][m.ref]
}
