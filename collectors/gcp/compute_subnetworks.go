package gcp

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	compute "google.golang.org/api/compute/v1"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// Subnetworks collects the VPC subnetworks of a project in every region
// and whether VPC flow logs are enabled on each.
//
// Compute Engine API docs: https://cloud.google.com/compute/docs/reference/rest/v1/subnetworks/aggregatedList
// Operation: compute.subnetworks.list (GET /compute/v1/projects/{project}/aggregated/subnetworks).
type Subnetworks struct{ src *Source }

const (
	opSubnetsList = "compute.subnetworks.list"
	typeSubnet    = "gcp.compute.subnetwork"
)

// Describe returns the collector's metadata.
func (c *Subnetworks) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gcp.subnetworks", Version: 1, Source: SourceName, Title: "VPC subnetworks and flow logs",
		ResourceTypes: []collectors.ResourceType{{Name: typeSubnet, Doc: "A VPC subnetwork. ID is its self link.", Attributes: []collectors.Attribute{
			{Name: "network", Type: "string", Doc: "Name of the VPC network."},
			{Name: "purpose", Type: "string", Doc: `Subnet purpose: "PRIVATE" for ordinary subnets, or e.g. "REGIONAL_MANAGED_PROXY" for proxy-only subnets, which have no flow logs.`},
			{Name: "flow_logs", Type: "bool", Doc: "VPC flow logs are enabled (logConfig.enable)."},
			{Name: "private_google_access", Type: "bool", Doc: "VMs without external IPs can reach Google APIs."},
		}}},
		Permissions: []string{opSubnetsList},
	}
}

// Collect lists the subnetworks of project target.Account. A project with
// the Compute Engine API disabled has none.
func (c *Subnetworks) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	svc, err := c.src.computeService(ctx)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	var subs []*compute.Subnetwork
	err = svc.Subnetworks.AggregatedList(target.Account).Pages(tctx, func(p *compute.SubnetworkAggregatedList) error {
		for _, scoped := range p.Items {
			subs = append(subs, scoped.Subnetworks...)
		}
		return nil
	})
	if err != nil {
		if apiDisabled(err) {
			return nil
		}
		return fmt.Errorf("gcp %s %s: %w", opSubnetsList, target.Account, gcpapi.Classify(err, opSubnetsList, opSubnetsList))
	}
	records := trace.Records()
	slices.SortFunc(subs, func(a, b *compute.Subnetwork) int { return cmp.Compare(a.SelfLink, b.SelfLink) })
	for _, s := range subs {
		region := s.Region[strings.LastIndex(s.Region, "/")+1:]
		purpose := s.Purpose
		if purpose == "" {
			purpose = "PRIVATE"
		}
		flow := s.EnableFlowLogs || (s.LogConfig != nil && s.LogConfig.Enable)
		out.Emit(evidence.Resource{Type: typeSubnet, ID: s.SelfLink, Name: s.Name, Account: target.Account, Region: region, Records: records,
			Attributes: map[string]any{
				"network": s.Network[strings.LastIndex(s.Network, "/")+1:], "purpose": purpose,
				"flow_logs": flow, "private_google_access": s.PrivateIpGoogleAccess,
			}})
	}
	return nil
}
