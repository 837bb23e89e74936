package gcp

import (
	"context"
	"fmt"
	"slices"

	compute "google.golang.org/api/compute/v1"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// Networks collects, per project, the VPC networks and whether the
// auto-created "default" network still exists.
//
// Compute Engine API docs: https://cloud.google.com/compute/docs/reference/rest/v1/networks/list
// Operation: compute.networks.list (GET /compute/v1/projects/{project}/global/networks).
type Networks struct{ src *Source }

const typeProjectNetworks = "gcp.compute.project_networks"

// Describe returns the collector's metadata.
func (c *Networks) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gcp.networks", Version: 1, Source: SourceName, Title: "VPC networks of each project",
		ResourceTypes: []collectors.ResourceType{{Name: typeProjectNetworks, Doc: "The VPC networks of one project. ID is //compute.googleapis.com/projects/ID/global/networks.", Attributes: []collectors.Attribute{
			{Name: "compute_enabled", Type: "bool", Doc: "The Compute Engine API is enabled; a project without it has no networks at all."},
			{Name: "default_network", Type: "bool", Doc: `The project has a network named "default", the auto mode network Compute Engine creates with permissive firewall rules.`},
			{Name: "auto_mode_networks", Type: "list", Doc: "Names of auto mode networks (autoCreateSubnetworks), sorted."},
			{Name: "networks", Type: "list", Doc: "Names of all VPC networks, sorted."},
		}}},
		Permissions: []string{opNetworksList},
	}
}

// Collect lists the networks of project target.Account and emits one
// resource for the project, also when the Compute Engine API is disabled.
func (c *Networks) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	svc, err := c.src.computeService(ctx)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	var names, auto []string
	enabled := true
	err = svc.Networks.List(target.Account).Pages(tctx, func(p *compute.NetworkList) error {
		for _, n := range p.Items {
			names = append(names, n.Name)
			if n.AutoCreateSubnetworks {
				auto = append(auto, n.Name)
			}
		}
		return nil
	})
	switch {
	case err != nil && apiDisabled(err):
		enabled = false
	case err != nil:
		return fmt.Errorf("gcp %s %s: %w", opNetworksList, target.Account, gcpapi.Classify(err, opNetworksList, opNetworksList))
	}
	out.Emit(evidence.Resource{Type: typeProjectNetworks, ID: "//compute.googleapis.com/projects/" + target.Account + "/global/networks",
		Name: target.Account, Account: target.Account, Records: trace.Records(),
		Attributes: map[string]any{
			"compute_enabled": enabled, "default_network": slices.Contains(names, "default"),
			"auto_mode_networks": sortedList(auto), "networks": sortedList(names),
		}})
	return nil
}
