package azure

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v7"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

const (
	opNSGList         = "Microsoft.Network/networkSecurityGroups/read"
	typeSecurityGroup = "azure.network.security_group"
)

// SecurityGroups lists the network security groups of a subscription and
// works out which restricted ports (Config.RestrictedPorts) each allows
// from the internet, taking rule priorities into account.
//
// API: https://learn.microsoft.com/rest/api/virtualnetwork/network-security-groups/list-all
// Operation: GET /subscriptions/{subscriptionId}/providers/Microsoft.Network/networkSecurityGroups (Microsoft.Network/networkSecurityGroups/read).
type SecurityGroups struct{ src *Source }

// Describe returns the collector's metadata.
func (c *SecurityGroups) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "azure.network", Version: 1, Source: SourceName, Title: "Network security groups",
		ResourceTypes: []collectors.ResourceType{{Name: typeSecurityGroup, Doc: "A network security group. ID is its resource ID, lower-cased.", Attributes: []collectors.Attribute{
			{Name: "location", Type: "string", Doc: "The group's region, lower-cased."},
			{Name: "checked_ports", Type: "list", Doc: "The TCP ports checked, as strings: azure.restricted_ports in the configuration (default 22, 3389, 1433, 3306, 5432, 6379, 27017), sorted by number."},
			{Name: "open_restricted_ports", Type: "list", Doc: "The checked ports (strings) whose highest-priority inbound TCP rule with an internet source (*, Internet, Any, 0.0.0.0/0, ::/0) allows them, sorted by number; empty when none."},
			{Name: "open_rules", Type: "list", Doc: "The names of the rules that open those ports, sorted."},
			{Name: "attached", Type: "bool", Doc: "The group is associated with at least one subnet or network interface."},
		}}},
		Permissions: []string{opNSGList},
	}
}

// Collect lists the network security groups of subscription target.Account.
func (c *SecurityGroups) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := newClient(c.src, armnetwork.NewSecurityGroupsClient, target.Account)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	var found []*armnetwork.SecurityGroup
	err = list(tctx, c.src, out, client.NewListAllPager(nil), opNSGList, "Microsoft.Network", func(p armnetwork.SecurityGroupsClientListAllResponse) {
		found = append(found, p.Value...)
	})
	if err != nil {
		return fmt.Errorf("azure %s %s: %w", opNSGList, target.Account, err)
	}
	records := trace.Records()
	for _, g := range found {
		if g == nil {
			continue
		}
		var rules []*armnetwork.SecurityRule
		attached := false
		if p := g.Properties; p != nil {
			rules = append(append(rules, p.SecurityRules...), p.DefaultSecurityRules...)
			attached = len(p.Subnets)+len(p.NetworkInterfaces) > 0
		}
		ports, names := exposure(rules, c.src.cfg.RestrictedPorts)
		r := resource(typeSecurityGroup, target.Account, g.ID, g.Name, g.Location, map[string]any{
			"location": lower(g.Location), "checked_ports": portList(c.src.cfg.RestrictedPorts), "open_restricted_ports": ports, "open_rules": anyList(names), "attached": attached,
		})
		r.Records = records
		out.Emit(r)
	}
	return nil
}

// exposure returns the restricted ports the inbound rules allow from the
// internet, and the rules that allow them. For each port the rules are
// read in priority order: the first TCP rule with an internet source that
// covers the port decides.
func exposure(rules []*armnetwork.SecurityRule, restricted []int) ([]any, []string) {
	var inbound []*armnetwork.SecurityRule
	for _, r := range rules {
		if r != nil && r.Properties != nil && r.Properties.Direction != nil && *r.Properties.Direction == armnetwork.SecurityRuleDirectionInbound {
			inbound = append(inbound, r)
		}
	}
	slices.SortStableFunc(inbound, func(a, b *armnetwork.SecurityRule) int {
		return cmp.Compare(prio(a), prio(b))
	})
	ports := []any{}
	var names []string
	for _, p := range slices.Compact(slices.Sorted(slices.Values(restricted))) {
		for _, r := range inbound {
			rp := r.Properties
			if !tcp(rp.Protocol) || !internetSource(rp) || !coversPort(rp, p) {
				continue
			}
			if rp.Access != nil && *rp.Access == armnetwork.SecurityRuleAccessAllow {
				ports = append(ports, strconv.Itoa(p))
				names = append(names, str(r.Name))
			}
			break
		}
	}
	slices.Sort(names)
	return ports, slices.Compact(names)
}

// portList returns ports as sorted, distinct strings.
func portList(ports []int) []any {
	out := []any{}
	for _, p := range slices.Compact(slices.Sorted(slices.Values(ports))) {
		out = append(out, strconv.Itoa(p))
	}
	return out
}

func prio(r *armnetwork.SecurityRule) int32 {
	if r.Properties.Priority == nil {
		return 1 << 30
	}
	return *r.Properties.Priority
}

func tcp(p *armnetwork.SecurityRuleProtocol) bool {
	return p == nil || *p == armnetwork.SecurityRuleProtocolAsterisk || *p == armnetwork.SecurityRuleProtocolTCP
}

// internetSource reports whether a rule's source includes every internet
// address.
func internetSource(p *armnetwork.SecurityRulePropertiesFormat) bool {
	srcs := append([]string{str(p.SourceAddressPrefix)}, strs(p.SourceAddressPrefixes)...)
	return slices.ContainsFunc(srcs, func(s string) bool {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "*", "internet", "any", "0.0.0.0/0", "::/0", "0.0.0.0":
			return true
		}
		return false
	})
}

// coversPort reports whether a rule's destination ports include port.
func coversPort(p *armnetwork.SecurityRulePropertiesFormat, port int) bool {
	specs := append([]string{str(p.DestinationPortRange)}, strs(p.DestinationPortRanges)...)
	return slices.ContainsFunc(specs, func(spec string) bool {
		spec = strings.TrimSpace(spec)
		if spec == "*" {
			return true
		}
		lo, hi, found := strings.Cut(spec, "-")
		if !found {
			hi = lo
		}
		l, err1 := strconv.Atoi(lo)
		h, err2 := strconv.Atoi(hi)
		return err1 == nil && err2 == nil && l <= port && port <= h
	})
}
