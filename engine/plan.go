package engine

import (
	"slices"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/all"
	"github.com/attestdev/attest/collectors/register"
	"github.com/attestdev/attest/config"
	"github.com/attestdev/attest/controls"
)

// A Plan says which registered collectors a run needs: those that emit a
// resource type some enabled control reads (controls.Library.NeededTypes).
type Plan struct {
	need map[string]bool
	reg  *collectors.Registry
}

// Plan returns the collectors the setup's controls need.
func (s *Setup) Plan() *Plan {
	return &Plan{need: s.Library.NeededTypes(), reg: all.Registry()}
}

// Enabled reports whether the collector with the given id is needed; it is
// the collectors.Runner's filter.
func (p *Plan) Enabled(id string) bool {
	c, ok := p.reg.Lookup(id)
	if !ok {
		return false
	}
	return slices.ContainsFunc(c.Describe().ResourceTypes, func(t collectors.ResourceType) bool { return p.need[t.Name] })
}

// Descriptors returns the needed collectors of source, in the registry's
// order: what `attest permissions` grants.
func (p *Plan) Descriptors(source string) []collectors.Descriptor {
	var ds []collectors.Descriptor
	for _, d := range p.reg.Descriptors() {
		if d.Source == source && p.Enabled(d.ID) {
			ds = append(ds, d)
		}
	}
	return ds
}

// Configured returns whether a control's evidence can be collected with
// cfg: every resource type it needs is emitted by a collector of a
// configured source (manual records need the manual source, the register's
// resources a subprocessors: file).
func Configured(cfg *config.File) func(*controls.Control) bool {
	have := map[string]bool{}
	for _, s := range all.Sources(cfg.Sources) {
		have[s.Name()] = true
	}
	sources := map[string][]string{}
	for _, d := range all.Registry().Descriptors() {
		for _, t := range d.ResourceTypes {
			sources[t.Name] = append(sources[t.Name], d.Source)
		}
	}
	if cfg.Sources.Register == nil || cfg.Sources.Register.File == "" {
		// Without a register file the register source only reports the
		// providers missing; it has no vendors to evaluate.
		delete(sources, register.VendorType)
		delete(sources, register.HostingType)
	}
	return func(c *controls.Control) bool {
		types := controls.EvidenceTypes(c)
		if len(types) == 0 {
			return false
		}
		for _, t := range types {
			if !slices.ContainsFunc(sources[t], func(s string) bool { return have[s] }) {
				return false
			}
		}
		return true
	}
}
