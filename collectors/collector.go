package collectors

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/attestdev/attest/collectors/evidence"
)

// A Collector gathers one kind of evidence from one source. Implementations
// must be safe for concurrent use: the runner calls Collect for several
// targets at once.
type Collector interface {
	// Describe returns static metadata. It must not perform I/O.
	Describe() Descriptor
	// Collect reads the target and emits resources to out. A resource that
	// does not exist is evidence (emit nothing, or a resource saying so),
	// not an error. A call that fails for one resource is reported with
	// out.Fail and collection goes on; Collect returns an error only when
	// it could not enumerate the target at all.
	Collect(ctx context.Context, target evidence.Target, out Sink) error
}

// A Descriptor is a collector's static metadata.
type Descriptor struct {
	// ID is stable and dotted, e.g. "aws.s3". Controls do not name
	// collectors; they name resource types.
	ID string
	// Version is bumped when the resources change shape or meaning.
	Version int
	// Source is the source package name, e.g. "aws".
	Source string
	// Title says in a few words what is collected.
	Title string
	// ResourceTypes are the types the collector emits, with their
	// attributes.
	ResourceTypes []ResourceType
	// Permissions are the read-only API permissions the collector needs,
	// in the provider's own notation (e.g. "s3:GetEncryptionConfiguration",
	// or a GitHub token scope).
	Permissions []string
	// CallsPerResource is how many API calls the collector makes for each
	// resource it lists, beyond the listing itself (0 for a collector
	// whose listings carry everything). Such collectors' jobs take the
	// longest in a large estate, so the runner starts them first.
	CallsPerResource int
}

// A ResourceType documents one type of resource and its attributes. Rules
// that name an attribute not listed here fail to load.
type ResourceType struct {
	Name string
	Doc  string
	// Fixed are attribute values every resource of the type from this
	// collector has, such as {"system": "aws"} for identity.account. Runs
	// record them (evidence.Run.Fixed) so that evaluation can tell which
	// runs could have produced what a rule selects.
	Fixed      map[string]any
	Attributes []Attribute
}

// An Attribute documents one attribute of a resource type.
type Attribute struct {
	Name string
	// Type is one of bool, int, double, string, timestamp (an RFC 3339
	// string), list or map.
	Type string
	Doc  string
}

// A Sink receives what a collector finds. The runner stamps each resource
// with the collector, its version, the collection time and, when empty, the
// target's account and region.
type Sink interface {
	Emit(r evidence.Resource)
	Fail(f evidence.Failure)
}

// Skip records on out that the collector enumerated resource and left it
// out on purpose, and why, so the run's scope statement lists it. Sinks that
// do not record skips (such as simple test sinks) ignore it.
func Skip(out Sink, resource, reason string) {
	if s, ok := out.(interface{ Skip(resource, reason string) }); ok {
		s.Skip(resource, reason)
	}
}

// A Source is one provider: it owns its collectors and knows which targets
// (accounts, regions, organisations, hosts) to run them against.
type Source interface {
	// Name returns the source name, e.g. "aws".
	Name() string
	// Collectors returns every collector of the source.
	Collectors() []Collector
	// Plan returns the jobs for the collectors for which enabled returns
	// true. Discovering targets may call APIs (e.g. to list accounts).
	Plan(ctx context.Context, enabled func(collectorID string) bool) ([]Job, error)
}

// A Job is one collector run against one target.
type Job struct {
	Collector Collector
	Target    evidence.Target
}

// SortByID sorts cs by their descriptors' IDs, the order a source's
// Collectors returns, and returns cs.
func SortByID(cs []Collector) []Collector {
	slices.SortFunc(cs, func(a, b Collector) int { return cmp.Compare(a.Describe().ID, b.Describe().ID) })
	return cs
}

// EmitSorted emits rs to out sorted by type and ID, so that a collector's
// output does not depend on the order its calls returned in. When records
// is not nil, it is the raw responses of every resource of rs (one listing
// that yields them all), set on each before it is emitted.
func EmitSorted(out Sink, rs []evidence.Resource, records []string) {
	slices.SortFunc(rs, func(a, b evidence.Resource) int { return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.ID, b.ID)) })
	for _, r := range rs {
		if records != nil {
			r.Records = records
		}
		out.Emit(r)
	}
}

// Jobs returns the jobs of a source that plans one target per account: for
// each collector of cs that enabled accepts, in the order of cs, a job for
// each account of source, accounts sorted and without repeats. It is nil
// when there are none.
func Jobs(source string, cs []Collector, enabled func(collectorID string) bool, accounts ...string) []Job {
	accounts = slices.Compact(slices.Sorted(slices.Values(accounts)))
	var jobs []Job
	for _, c := range cs {
		if !enabled(c.Describe().ID) {
			continue
		}
		for _, a := range accounts {
			jobs = append(jobs, Job{Collector: c, Target: evidence.Target{Source: source, Account: a}})
		}
	}
	return jobs
}

// A Registry holds collectors by ID. Build one explicitly; there is no
// global registry.
type Registry struct {
	byID map[string]Collector
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{byID: map[string]Collector{}} }

// MustRegister adds collectors. It panics on an empty or duplicate ID, a
// programming error. Several collectors may emit the same resource type
// (every identity source emits identity.account).
func (r *Registry) MustRegister(cs ...Collector) {
	for _, c := range cs {
		d := c.Describe()
		if d.ID == "" || d.Source == "" {
			panic(fmt.Sprintf("collectors: collector %T has an empty ID or source", c))
		}
		if _, dup := r.byID[d.ID]; dup {
			panic(fmt.Sprintf("collectors: duplicate collector ID %q", d.ID))
		}
		r.byID[d.ID] = c
	}
}

// Lookup returns the collector with the given ID.
func (r *Registry) Lookup(id string) (Collector, bool) {
	c, ok := r.byID[id]
	return c, ok
}

// Descriptors returns the descriptors of all collectors, sorted by ID.
func (r *Registry) Descriptors() []Descriptor {
	out := make([]Descriptor, 0, len(r.byID))
	for _, c := range r.byID {
		out = append(out, c.Describe())
	}
	slices.SortFunc(out, func(a, b Descriptor) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// ResourceTypes returns every resource type by name. When several
// collectors emit a type, their attribute lists are merged.
func (r *Registry) ResourceTypes() map[string]ResourceType {
	out := map[string]ResourceType{}
	for _, d := range r.Descriptors() {
		for _, t := range d.ResourceTypes {
			have, ok := out[t.Name]
			if !ok {
				out[t.Name] = t
				continue
			}
			for _, a := range t.Attributes {
				if !slices.ContainsFunc(have.Attributes, func(b Attribute) bool { return b.Name == a.Name }) {
					have.Attributes = append(have.Attributes, a)
				}
			}
			out[t.Name] = have
		}
	}
	return out
}

// CollectorsFor returns the IDs of the collectors that emit typ, sorted.
func (r *Registry) CollectorsFor(typ string) []string {
	var ids []string
	for _, d := range r.Descriptors() {
		if slices.ContainsFunc(d.ResourceTypes, func(t ResourceType) bool { return t.Name == typ }) {
			ids = append(ids, d.ID)
		}
	}
	return ids
}

// PlainPolicy lists the permissions of the given collectors as text, one per
// line, sorted and without duplicates, for sources whose provider has no
// policy document format.
func PlainPolicy(ds []Descriptor) []byte {
	var perms []string
	for _, d := range ds {
		perms = append(perms, d.Permissions...)
	}
	slices.Sort(perms)
	var out []byte
	for _, p := range slices.Compact(perms) {
		out = append(out, p...)
		out = append(out, '\n')
	}
	return out
}
