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

// BackendServices collects the load balancer backend services of a
// project, global and regional, and the Cloud Armor security policy that
// filters the traffic of each.
//
// Compute Engine API docs: https://cloud.google.com/compute/docs/reference/rest/v1/backendServices/aggregatedList
// Operation: compute.backendServices.list (GET /compute/v1/projects/{project}/aggregated/backendServices).
type BackendServices struct{ src *Source }

const (
	opBackendsList = "compute.backendServices.list"
	typeBackend    = "gcp.compute.backend_service"
)

// Describe returns the collector's metadata.
func (c *BackendServices) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gcp.backend_services", Version: 1, Source: SourceName, Title: "Load balancer backend services and Cloud Armor",
		ResourceTypes: []collectors.ResourceType{{Name: typeBackend, Doc: "A load balancer backend service. ID is its self link.", Attributes: []collectors.Attribute{
			{Name: "load_balancing_scheme", Type: "string", Doc: `"EXTERNAL", "EXTERNAL_MANAGED", "INTERNAL", "INTERNAL_MANAGED" or "INTERNAL_SELF_MANAGED".`},
			{Name: "external", Type: "bool", Doc: "The backend service serves an external (internet-facing) load balancer."},
			{Name: "security_policy", Type: "string", Doc: `Name of the Cloud Armor backend security policy, "" when none.`},
			{Name: "edge_security_policy", Type: "string", Doc: `Name of the Cloud Armor edge security policy (Cloud CDN), "" when none.`},
		}}},
		Permissions: []string{opBackendsList},
	}
}

// Collect lists the backend services of project target.Account. A project
// with the Compute Engine API disabled has none.
func (c *BackendServices) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	svc, err := c.src.computeService(ctx)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	var bss []*compute.BackendService
	err = svc.BackendServices.AggregatedList(target.Account).Pages(tctx, func(p *compute.BackendServiceAggregatedList) error {
		for _, scoped := range p.Items {
			bss = append(bss, scoped.BackendServices...)
		}
		return nil
	})
	if err != nil {
		if apiDisabled(err) {
			return nil
		}
		return fmt.Errorf("gcp %s %s: %w", opBackendsList, target.Account, gcpapi.Classify(err, opBackendsList, opBackendsList))
	}
	records := trace.Records()
	slices.SortFunc(bss, func(a, b *compute.BackendService) int { return cmp.Compare(a.SelfLink, b.SelfLink) })
	last := func(s string) string { return s[strings.LastIndex(s, "/")+1:] }
	for _, b := range bss {
		region := ""
		if b.Region != "" {
			region = last(b.Region)
		}
		out.Emit(evidence.Resource{Type: typeBackend, ID: b.SelfLink, Name: b.Name, Account: target.Account, Region: region, Records: records,
			Attributes: map[string]any{
				"load_balancing_scheme": b.LoadBalancingScheme,
				"external":              strings.HasPrefix(b.LoadBalancingScheme, "EXTERNAL"),
				"security_policy":       last(b.SecurityPolicy), "edge_security_policy": last(b.EdgeSecurityPolicy),
			}})
	}
	return nil
}
