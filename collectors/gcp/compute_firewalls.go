package gcp

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	compute "google.golang.org/api/compute/v1"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// Firewalls collects the VPC firewall rules of a project and whether they
// open SSH (22), RDP (3389) or another restricted administration or
// database port (Config.RestrictedPorts) to the whole internet.
//
// Compute Engine API docs: https://cloud.google.com/compute/docs/reference/rest/v1/firewalls/list
// Operation: compute.firewalls.list (GET /compute/v1/projects/{project}/global/firewalls).
type Firewalls struct{ src *Source }

const (
	opFirewallsList = "compute.firewalls.list"
	typeFirewall    = "gcp.compute.firewall"
)

// Describe returns the collector's metadata.
func (c *Firewalls) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gcp.firewall", Version: 1, Source: SourceName, Title: "VPC firewall rules",
		ResourceTypes: []collectors.ResourceType{{Name: typeFirewall, Doc: "A VPC firewall rule. ID is its self link.", Attributes: []collectors.Attribute{
			{Name: "network", Type: "string", Doc: "Name of the VPC network."},
			{Name: "direction", Type: "string", Doc: "INGRESS or EGRESS."},
			{Name: "disabled", Type: "bool", Doc: "The rule is disabled."},
			{Name: "source_ranges", Type: "list", Doc: "Source IP ranges of an ingress rule."},
			{Name: "open_to_internet", Type: "bool", Doc: "An enabled ingress allow rule from 0.0.0.0/0 or ::/0."},
			{Name: "open_ssh", Type: "bool", Doc: "open_to_internet and it allows TCP port 22."},
			{Name: "open_rdp", Type: "bool", Doc: "open_to_internet and it allows TCP port 3389."},
			{Name: "open_restricted_ports", Type: "list", Doc: "The ports of gcp.restricted_ports (default 22, 3389, 3306, 5432, 1433, 6379, 27017) the rule opens to 0.0.0.0/0 or ::/0, sorted; empty when none."},
		}}},
		Permissions: []string{opFirewallsList},
	}
}

// Collect lists the firewall rules of project target.Account. A project
// with the Compute Engine API disabled has none.
func (c *Firewalls) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	svc, err := c.src.computeService(ctx)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	var fws []*compute.Firewall
	err = svc.Firewalls.List(target.Account).Pages(tctx, func(p *compute.FirewallList) error {
		fws = append(fws, p.Items...)
		return nil
	})
	if err != nil {
		if apiDisabled(err) {
			return nil
		}
		return fmt.Errorf("gcp %s %s: %w", opFirewallsList, target.Account, gcpapi.Classify(err, opFirewallsList, opFirewallsList))
	}
	records := trace.Records()
	slices.SortFunc(fws, func(a, b *compute.Firewall) int { return cmp.Compare(a.Name, b.Name) })
	for _, f := range fws {
		open := f.Direction == "INGRESS" && !f.Disabled && len(f.Allowed) > 0 &&
			slices.ContainsFunc(f.SourceRanges, func(r string) bool { return r == "0.0.0.0/0" || r == "::/0" })
		id := f.SelfLink
		if id == "" {
			id = "https://www.googleapis.com/compute/v1/projects/" + target.Account + "/global/firewalls/" + f.Name
		}
		out.Emit(evidence.Resource{Type: typeFirewall, ID: id, Name: f.Name, Account: target.Account, Records: records,
			Attributes: map[string]any{
				"network": f.Network[strings.LastIndex(f.Network, "/")+1:], "direction": f.Direction, "disabled": f.Disabled,
				"source_ranges": sortedList(f.SourceRanges), "open_to_internet": open,
				"open_ssh": open && allows(f.Allowed, 22), "open_rdp": open && allows(f.Allowed, 3389),
				"open_restricted_ports": c.openPorts(open, f.Allowed),
			}})
	}
	return nil
}

// allows reports whether an allow list admits TCP port p: protocol tcp or
// all, with no ports (all) or a port or range containing p.
func allows(rules []*compute.FirewallAllowed, p int) bool {
	for _, r := range rules {
		if r.IPProtocol != "tcp" && r.IPProtocol != "all" && r.IPProtocol != "6" {
			continue
		}
		if len(r.Ports) == 0 {
			return true
		}
		for _, spec := range r.Ports {
			lo, hi, found := strings.Cut(spec, "-")
			if !found {
				hi = lo
			}
			l, err1 := strconv.Atoi(lo)
			h, err2 := strconv.Atoi(hi)
			if err1 == nil && err2 == nil && l <= p && p <= h {
				return true
			}
		}
	}
	return false
}

// openPorts returns the restricted ports an allow list opens, sorted, when
// the rule is open to the internet.
func (c *Firewalls) openPorts(open bool, rules []*compute.FirewallAllowed) []any {
	ports := slices.Sorted(slices.Values(c.src.cfg.RestrictedPorts))
	out := []any{}
	for _, p := range slices.Compact(ports) {
		if open && allows(rules, p) {
			out = append(out, p)
		}
	}
	return out
}

// computeService returns a Compute Engine client for the source's endpoint
// and credentials.
func (s *Source) computeService(ctx context.Context) (*compute.Service, error) {
	opts, err := s.options(ctx, "compute", "compute/v1/")
	if err != nil {
		return nil, err
	}
	svc, err := compute.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("gcp compute client: %w", err)
	}
	return svc, nil
}
