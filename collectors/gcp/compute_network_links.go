package gcp

import (
	"context"
	"fmt"
	"strings"

	compute "google.golang.org/api/compute/v1"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// NetworkLinks collects the network connections of a project to other
// projects: the VPC Network Peerings of its networks, and its Shared VPC
// attachments (the service projects of a host project, or the host
// project of a service project), each with the environments
// (Config.Environments) of the two projects.
//
// Compute Engine API docs:
//   - https://cloud.google.com/compute/docs/reference/rest/v1/networks/list (compute.networks.list)
//   - https://cloud.google.com/compute/docs/reference/rest/v1/projects/get (compute.projects.get; only xpnProjectStatus is requested)
//   - https://cloud.google.com/compute/docs/reference/rest/v1/projects/getXpnResources (service projects of a host; permission compute.projects.get)
//   - https://cloud.google.com/compute/docs/reference/rest/v1/projects/getXpnHost (host of a service project; permission compute.projects.get)
//
// A project that is a Shared VPC host is asked for its service projects,
// any other project for its host, so each project costs two calls besides
// the network list pages. Environments come from Config.Environments, with
// resourcemanager.projects.getAncestry (see Environment) once per project
// not classified by its ID.
type NetworkLinks struct{ src *Source }

const (
	opNetworksList       = "compute.networks.list"
	opComputeProjectsGet = "compute.projects.get"
	opGetXpnHost         = "compute.projects.getXpnHost"
	opGetXpnResources    = "compute.projects.getXpnResources"
	typeNetworkLink      = "gcp.compute.network_link"
)

// googleManagedSuffix ends the names of the peerings Google creates to the
// service producer networks of managed services (private services access,
// e.g. servicenetworking-googleapis-com for Cloud SQL private IP).
const googleManagedSuffix = "-googleapis-com"

// Describe returns the collector's metadata.
func (c *NetworkLinks) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gcp.network_links", Version: 1, Source: SourceName, Title: "VPC peerings and Shared VPC between environments",
		ResourceTypes: []collectors.ResourceType{{Name: typeNetworkLink, Doc: "A VPC Network Peering of a network of the project, or a Shared VPC attachment of the project. " +
			"ID is //compute.googleapis.com/projects/P/global/networks/N/peerings/NAME, //compute.googleapis.com/projects/HOST/xpnResources/SERVICE " +
			"or //compute.googleapis.com/projects/SERVICE/xpnHost/HOST.", Attributes: []collectors.Attribute{
			{Name: "kind", Type: "string", Doc: `"peering" or "shared_vpc".`},
			{Name: "network", Type: "string", Doc: `Name of the project's peered network; "" for Shared VPC.`},
			{Name: "peer_network", Type: "string", Doc: `Name of the peer network; "" for Shared VPC.`},
			{Name: "local_project", Type: "string", Doc: "The collected project."},
			{Name: "peer_project", Type: "string", Doc: "The project at the other end: the peer network's project, or the Shared VPC host or service project."},
			{Name: "host_project", Type: "string", Doc: `The Shared VPC host project (local_project or peer_project); "" for a peering.`},
			{Name: "google_managed", Type: "bool", Doc: `The peering connects a Google-managed service producer network (its name ends in "-googleapis-com", e.g. servicenetworking-googleapis-com), which serves the project's own managed services.`},
			{Name: "local_environment", Type: "string", Doc: `Environment of local_project ("prod" or "nonprod"); a gap when unclassified.`},
			{Name: "peer_environment", Type: "string", Doc: `Environment of peer_project ("prod" or "nonprod"); a gap when unclassified. A Google-managed peer is classified only by its own ID, without reading its ancestry.`},
			{Name: "cross_environment", Type: "bool", Doc: "The link joins a prod and a nonprod project. False for a link within one project and for a Google-managed peer not classified otherwise; a gap when either environment is unknown."},
		}}},
		Permissions: []string{opNetworksList, opComputeProjectsGet, permProjectsGet},
	}
}

// A link is a network connection of the collected project, before
// classification.
type link struct {
	id, name                   string
	kind, network, peerNetwork string
	peer, host                 string
	googleManaged              bool
}

// Collect lists the peerings and Shared VPC attachments of project
// target.Account. A project with the Compute Engine API disabled has
// neither. When the Shared VPC status cannot be read, the peerings are
// still emitted and the failure is recorded.
func (c *NetworkLinks) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	svc, err := c.src.computeService(ctx)
	if err != nil {
		return err
	}
	project := target.Account
	tctx, trace := collectors.WithTrace(ctx)
	links, err := peerings(tctx, svc, project)
	if err != nil {
		if apiDisabled(err) {
			return nil
		}
		return fmt.Errorf("gcp %s %s: %w", opNetworksList, project, gcpapi.Classify(err, opNetworksList, opNetworksList))
	}
	shared, err := c.sharedVPC(tctx, svc, project)
	switch {
	case err != nil && gcpapi.Canceled(err):
		return err
	case err != nil:
		out.Fail(collectors.FailureOf(err, "//compute.googleapis.com/projects/"+project))
	default:
		links = append(links, shared...)
	}
	cl := c.src.classifier()
	failed := map[string]bool{}
	// classify returns the classification of p, recording a failed lookup
	// once per project.
	classify := func(p string, ancestry bool) (classification, error) {
		r := cl.direct(p)
		if ancestry && p != "" {
			r = cl.classify(tctx, p)
		}
		if r.err != nil && gcpapi.Canceled(r.err) {
			return r, r.err
		}
		if r.err != nil && !gcpapi.NotFound(r.err) && !failed[p] {
			failed[p] = true
			out.Fail(collectors.FailureOf(r.err, "//cloudresourcemanager.googleapis.com/projects/"+p))
		}
		return r, nil
	}
	var rs []evidence.Resource
	for _, l := range links {
		r := evidence.Resource{Type: typeNetworkLink, ID: l.id, Name: l.name, Account: project, Attributes: map[string]any{
			"kind": l.kind, "network": l.network, "peer_network": l.peerNetwork, "local_project": project,
			"peer_project": l.peer, "host_project": l.host, "google_managed": l.googleManaged,
		}}
		local, err := classify(project, true)
		if err != nil {
			return err
		}
		peer, err := classify(l.peer, !l.googleManaged)
		if err != nil {
			return err
		}
		setEnvironment(&r, "local_environment", project, local)
		setEnvironment(&r, "peer_environment", l.peer, peer)
		if l.googleManaged && peer.env == "" {
			r.Gaps[len(r.Gaps)-1].Message = "project " + l.peer + " holds a Google-managed service producer network, which gcp.environments does not classify by ID; its ancestry is Google's and not read"
		}
		crossEnvironment(&r, l, project, local, peer)
		rs = append(rs, r)
	}
	collectors.EmitSorted(out, rs, trace.Records())
	return nil
}

// peerings lists the VPC peerings of the networks of project.
func peerings(ctx context.Context, svc *compute.Service, project string) ([]link, error) {
	var links []link
	err := svc.Networks.List(project).Pages(ctx, func(p *compute.NetworkList) error {
		for _, n := range p.Items {
			for _, pe := range n.Peerings {
				peerProject, peerNet := splitNetworkURL(pe.Network)
				links = append(links, link{
					id:   "//compute.googleapis.com/projects/" + project + "/global/networks/" + n.Name + "/peerings/" + pe.Name,
					name: n.Name + "/" + pe.Name, kind: "peering", network: n.Name, peerNetwork: peerNet, peer: peerProject,
					googleManaged: strings.HasSuffix(pe.Name, googleManagedSuffix),
				})
			}
		}
		return nil
	})
	return links, err
}

// crossEnvironment sets whether link l of project joins two environments,
// or records the gap when the environment of one side is unknown.
func crossEnvironment(r *evidence.Resource, l link, project string, local, peer classification) {
	switch {
	case l.peer == project:
		r.Attributes["cross_environment"] = false
	case local.env != "" && peer.env != "":
		r.Attributes["cross_environment"] = local.env != peer.env
	case l.googleManaged && peer.env == "":
		r.Attributes["cross_environment"] = false
	default:
		g := r.Gaps[len(r.Gaps)-1]
		g.Attribute, g.Message = "cross_environment", "the environment of a project of the link is unknown: "+g.Message
		r.Gaps = append(r.Gaps, g)
	}
}

// sharedVPC returns the Shared VPC attachments of project: its service
// projects when it is a host, else its host project, if any.
func (c *NetworkLinks) sharedVPC(ctx context.Context, svc *compute.Service, project string) ([]link, error) {
	pr, err := svc.Projects.Get(project).Fields("name", "xpnProjectStatus").Context(ctx).Do()
	if err != nil {
		return nil, fmt.Errorf("gcp %s %s: %w", opComputeProjectsGet, project, gcpapi.Classify(err, opComputeProjectsGet, opComputeProjectsGet))
	}
	var out []link
	if pr.XpnProjectStatus == "HOST" {
		err := svc.Projects.GetXpnResources(project).Pages(ctx, func(p *compute.ProjectsGetXpnResources) error {
			for _, r := range p.Resources {
				if r.Type != "PROJECT" || r.Id == "" {
					continue
				}
				out = append(out, link{id: "//compute.googleapis.com/projects/" + project + "/xpnResources/" + r.Id,
					name: "shared-vpc-service:" + r.Id, kind: "shared_vpc", peer: r.Id, host: project})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("gcp %s %s: %w", opGetXpnResources, project, gcpapi.Classify(err, opGetXpnResources, opComputeProjectsGet))
		}
		return out, nil
	}
	host, err := svc.Projects.GetXpnHost(project).Fields("name").Context(ctx).Do()
	if err != nil {
		return nil, fmt.Errorf("gcp %s %s: %w", opGetXpnHost, project, gcpapi.Classify(err, opGetXpnHost, opComputeProjectsGet))
	}
	if host.Name != "" {
		out = append(out, link{id: "//compute.googleapis.com/projects/" + project + "/xpnHost/" + host.Name,
			name: "shared-vpc-host:" + host.Name, kind: "shared_vpc", peer: host.Name, host: host.Name})
	}
	return out, nil
}

// setEnvironment sets attribute attr of r to the environment of project,
// or a gap saying why it is unknown.
func setEnvironment(r *evidence.Resource, attr, project string, cl classification) {
	switch {
	case cl.err != nil:
		r.Gaps = append(r.Gaps, collectors.GapOf(cl.err, attr))
	case cl.env == "":
		r.Gaps = append(r.Gaps, unclassified(project, attr))
	default:
		r.Attributes[attr] = cl.env
	}
}

// splitNetworkURL returns the project and network name of a network URL
// such as https://www.googleapis.com/compute/v1/projects/P/global/networks/N
// or projects/P/global/networks/N.
func splitNetworkURL(u string) (project, network string) {
	network = u[strings.LastIndex(u, "/")+1:]
	if _, rest, ok := strings.Cut(u, "projects/"); ok {
		project, _, _ = strings.Cut(rest, "/")
	}
	return project, network
}
