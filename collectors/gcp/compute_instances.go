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

// Instances collects the Compute Engine VM instances of a project with the
// settings the CIS benchmark checks: external IPs, OS Login (instance
// metadata, else project metadata), Shielded VM, and the default compute
// service account with the full cloud-platform scope.
//
// Compute Engine API docs:
//   - https://cloud.google.com/compute/docs/reference/rest/v1/instances/aggregatedList (compute.instances.list)
//   - https://cloud.google.com/compute/docs/reference/rest/v1/projects/get (compute.projects.get, for commonInstanceMetadata and the project number)
type Instances struct{ src *Source }

const (
	opInstancesList = "compute.instances.list"
	typeInstance    = "gcp.compute.instance"
	// scopeCloudPlatform is the OAuth scope giving an instance's service
	// account every API its IAM roles allow.
	scopeCloudPlatform = "https://www.googleapis.com/auth/cloud-platform"
)

// Describe returns the collector's metadata.
func (c *Instances) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gcp.compute_instances", Version: 1, Source: SourceName, Title: "Compute Engine VM instances",
		ResourceTypes: []collectors.ResourceType{{Name: typeInstance, Doc: "A Compute Engine VM instance. ID is its self link.", Attributes: []collectors.Attribute{
			{Name: "status", Type: "string", Doc: "RUNNING, TERMINATED (stopped), SUSPENDED, ..."},
			{Name: "public_ip", Type: "bool", Doc: "A network interface has an external IPv4 access config (ONE_TO_ONE_NAT, also while stopped) or an external IPv6 access config."},
			{Name: "external_ips", Type: "list", Doc: "External IPv4 addresses assigned now, sorted (empty while stopped with an ephemeral address)."},
			{Name: "os_login", Type: "bool", Doc: "OS Login is enabled: metadata enable-oslogin is true on the instance, or unset on the instance and true in the project's common instance metadata."},
			{Name: "secure_boot", Type: "bool", Doc: "Shielded VM secure boot is enabled."},
			{Name: "vtpm", Type: "bool", Doc: "Shielded VM virtual TPM is enabled."},
			{Name: "integrity_monitoring", Type: "bool", Doc: "Shielded VM integrity monitoring is enabled."},
			{Name: "default_service_account", Type: "bool", Doc: "The instance runs as the project's default compute service account (NUMBER-compute@developer.gserviceaccount.com)."},
			{Name: "default_sa_full_scope", Type: "bool", Doc: "The instance runs as the default compute service account with the cloud-platform scope (full access to all Cloud APIs)."},
			{Name: "gke_node", Type: "bool", Doc: "The instance is a GKE node (label goog-gke-node), whose settings GKE manages."},
		}}},
		Permissions: []string{opComputeProjectsGet, opInstancesList},
	}
}

// Collect lists the instances of project target.Account in every zone. A
// project with the Compute Engine API disabled has none.
func (c *Instances) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	svc, err := c.src.computeService(ctx)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	proj, err := svc.Projects.Get(target.Account).Fields("name", "id", "commonInstanceMetadata").Context(tctx).Do()
	if err != nil {
		if apiDisabled(err) {
			return nil
		}
		return fmt.Errorf("gcp %s %s: %w", opComputeProjectsGet, target.Account, gcpapi.Classify(err, opComputeProjectsGet, opComputeProjectsGet))
	}
	projectOSLogin := metadataTrue(proj.CommonInstanceMetadata, "enable-oslogin") == "true"
	defaultSA := strconv.FormatUint(proj.Id, 10) + "-compute@developer.gserviceaccount.com"
	var ins []*compute.Instance
	err = svc.Instances.AggregatedList(target.Account).Pages(tctx, func(p *compute.InstanceAggregatedList) error {
		for _, scoped := range p.Items {
			ins = append(ins, scoped.Instances...)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("gcp %s %s: %w", opInstancesList, target.Account, gcpapi.Classify(err, opInstancesList, opInstancesList))
	}
	records := trace.Records()
	slices.SortFunc(ins, func(a, b *compute.Instance) int { return cmp.Compare(a.SelfLink, b.SelfLink) })
	for _, in := range ins {
		public, ips := false, []string{}
		for _, ni := range in.NetworkInterfaces {
			for _, ac := range ni.AccessConfigs {
				public = true
				if ac.NatIP != "" {
					ips = append(ips, ac.NatIP)
				}
			}
			if len(ni.Ipv6AccessConfigs) > 0 {
				public = true
			}
		}
		osLogin := projectOSLogin
		if v := metadataTrue(in.Metadata, "enable-oslogin"); v != "" {
			osLogin = v == "true"
		}
		sh := in.ShieldedInstanceConfig
		if sh == nil {
			sh = &compute.ShieldedInstanceConfig{}
		}
		usesDefault, fullScope := false, false
		for _, sa := range in.ServiceAccounts {
			if sa.Email == defaultSA {
				usesDefault = true
				fullScope = fullScope || slices.Contains(sa.Scopes, scopeCloudPlatform)
			}
		}
		_, gke := in.Labels["goog-gke-node"]
		zone := in.Zone[strings.LastIndex(in.Zone, "/")+1:]
		out.Emit(evidence.Resource{Type: typeInstance, ID: in.SelfLink, Name: in.Name, Account: target.Account, Region: zone, Records: records,
			Attributes: map[string]any{
				"status": in.Status, "public_ip": public, "external_ips": sortedList(ips), "os_login": osLogin,
				"secure_boot": sh.EnableSecureBoot, "vtpm": sh.EnableVtpm, "integrity_monitoring": sh.EnableIntegrityMonitoring,
				"default_service_account": usesDefault, "default_sa_full_scope": fullScope, "gke_node": gke,
			}})
	}
	return nil
}

// metadataTrue returns "true" or "false" for a boolean metadata key of md
// (Compute Engine accepts TRUE, true, 1, y, yes and their opposites), or
// "" when the key is unset.
func metadataTrue(md *compute.Metadata, key string) string {
	if md == nil {
		return ""
	}
	for _, it := range md.Items {
		if it.Key != key || it.Value == nil {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(*it.Value)) {
		case "true", "1", "y", "yes":
			return "true"
		default:
			return "false"
		}
	}
	return ""
}
