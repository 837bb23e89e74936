package gcp

import (
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/gcptest"
)

func TestNetworkLinks(t *testing.T) {
	t.Parallel()
	const (
		base      = "GET /compute/v1/projects/" + project
		list      = base + "/global/networks"
		get       = base + "?fields=name%2CxpnProjectStatus"
		xpnHost   = base + "/getXpnHost?fields=name"
		xpnRes    = base + "/getXpnResources"
		ancestry  = "POST /v1/projects/"
		tenant    = "h2c4f1a8b3d5e7f9-tp"
		linkBase  = "//compute.googleapis.com/projects/" + project
		peeringID = linkBase + "/global/networks/"
	)
	type side struct {
		env string
		gap evidence.Gap // when env is ""
	}
	unclassifiedGap := evidence.Gap{Kind: evidence.Errored}
	prod, nonprod, unknown := side{env: "prod"}, side{env: "nonprod"}, side{gap: unclassifiedGap}
	// link builds the expected resource; cross is nil when it is a gap.
	link := func(id, name, kind, network, peerNetwork, peer, host string, managed bool, local, remote side, cross *bool) evidence.Resource {
		r := evidence.Resource{Type: typeNetworkLink, ID: id, Name: name, Account: project, Attributes: map[string]any{
			"kind": kind, "network": network, "peer_network": peerNetwork, "local_project": project, "peer_project": peer,
			"host_project": host, "google_managed": managed,
		}}
		var last evidence.Gap
		for _, s := range []struct {
			attr string
			side side
		}{{"local_environment", local}, {"peer_environment", remote}} {
			if s.side.env != "" {
				r.Attributes[s.attr] = s.side.env
				continue
			}
			g := s.side.gap
			g.Attribute = s.attr
			r.Gaps = append(r.Gaps, g)
			last = g
		}
		if cross != nil {
			r.Attributes["cross_environment"] = *cross
		} else {
			last.Attribute = "cross_environment"
			r.Gaps = append(r.Gaps, last)
		}
		return r
	}
	yes, no := new(bool), new(bool)
	*yes = true
	managed := func(local side) evidence.Resource {
		return link(peeringID+"default/peerings/servicenetworking-googleapis-com", "default/servicenetworking-googleapis-com", "peering",
			"default", "servicenetworking", tenant, "", true, local, unknown, no)
	}
	staging := func(local, remote side, cross *bool) evidence.Resource {
		return link(peeringID+"prod/peerings/prod-to-staging", "prod/prod-to-staging", "peering", "prod", "staging", "example-staging", "", false, local, remote, cross)
	}
	self := func(local side) evidence.Resource {
		return link(peeringID+"prod/peerings/prod-to-prod-tools", "prod/prod-to-prod-tools", "peering", "prod", "tools", project, "", false, local, local, no)
	}
	hostLink := func(local, remote side, cross *bool) evidence.Resource {
		return link(linkBase+"/xpnHost/example-network-host", "shared-vpc-host:example-network-host", "shared_vpc", "", "",
			"example-network-host", "example-network-host", false, local, remote, cross)
	}
	service := func(name string, remote side, cross *bool) evidence.Resource {
		return link(linkBase+"/xpnResources/"+name, "shared-vpc-service:"+name, "shared_vpc", "", "", name, project, false, prod, remote, cross)
	}
	happy := gcptest.Fixtures{list: {Body: "compute_networks.json"}, get: {Body: "compute_project.json"}, xpnHost: {Body: "compute_xpn_host.json"}}
	// hierarchy classifies the peers through their ancestry: example-staging
	// sits in the nonprod folder, example-network-host directly under the
	// prod organisation.
	hierarchy := map[string]string{project: "prod", folder: "nonprod", org: "prod"}
	withAncestry := happy.With(gcptest.Fixtures{
		ancestry + "example-staging:getAncestry":      {Body: "crm_ancestry_staging.json"},
		ancestry + "example-network-host:getAncestry": {Body: "crm_ancestry_host.json"},
	})
	denied := evidence.Gap{Kind: evidence.Denied, Operation: opGetAncestry, Permission: permProjectsGet}
	block, started := gcptest.Blocking()
	runCases(t, "gcp.network_links", typeNetworkLink, []tcase{
		{name: "happy: environments from ancestry", envs: hierarchy, fx: withAncestry, want: []evidence.Resource{
			managed(prod), self(prod), staging(prod, nonprod, yes), hostLink(prod, prod, no),
		}},
		{name: "happy: environments by project ID", fx: happy,
			envs: map[string]string{project: "nonprod", "example-staging": "nonprod", "example-network-host": "prod"},
			want: []evidence.Resource{managed(nonprod), self(nonprod), staging(nonprod, nonprod, no), hostLink(nonprod, prod, yes)}},
		{name: "Google-managed peer classified by its ID", fx: happy,
			envs: map[string]string{project: "prod", tenant: "nonprod", "example-staging": "prod", "example-network-host": "prod"},
			want: []evidence.Resource{
				link(peeringID+"default/peerings/servicenetworking-googleapis-com", "default/servicenetworking-googleapis-com", "peering",
					"default", "servicenetworking", tenant, "", true, prod, nonprod, yes),
				self(prod), staging(prod, prod, no), hostLink(prod, prod, no),
			}},
		{name: "unclassified: only links within the project or to Google are decided", fx: happy, want: []evidence.Resource{
			managed(unknown), self(unknown), staging(unknown, unknown, nil), hostLink(unknown, unknown, nil),
		}},
		{name: "two pages of networks and of service projects", fx: gcptest.Fixtures{
			list:                             {Body: "compute_networks_page1.json"},
			list + "?pageToken=CgdkZWZhdWx0": {Body: "compute_networks_page2.json"},
			get:                              {Body: "compute_project_host.json"},
			xpnRes:                           {Body: "compute_xpn_resources_page1.json"},
			xpnRes + "?pageToken=ChFleGFtcGxlLXNlcnZpY2UtYQ%3D%3D": {Body: "compute_xpn_resources_page2.json"},
		}, envs: map[string]string{project: "prod", "example-staging": "nonprod", "example-service-a": "prod", "example-service-b": "nonprod"},
			want: []evidence.Resource{managed(prod), self(prod), staging(prod, nonprod, yes), service("example-service-a", prod, no), service("example-service-b", nonprod, yes)}},
		{name: "empty", fx: gcptest.Fixtures{list: {Body: "compute_networks_empty.json"}, get: {Body: "compute_project.json"}, xpnHost: {Body: "compute_xpn_host_none.json"}}},
		{name: "absent: API disabled means no links", fx: gcptest.Fixtures{list: {Status: 403, Body: "error_service_disabled.json"}}},
		{name: "absent peer project", envs: hierarchy, fx: withAncestry.With(gcptest.Fixtures{ancestry + "example-staging:getAncestry": gcptest.NotFoundReply}),
			want: []evidence.Resource{managed(prod), self(prod), staging(prod, side{gap: evidence.Gap{Kind: evidence.Errored, Operation: opGetAncestry}}, nil), hostLink(prod, prod, no)}},
		{name: "denied", fx: gcptest.Fixtures{list: gcptest.DeniedReply}, wantErr: evidence.Denied, wantPerm: opNetworksList},
		{name: "denied peer ancestry", envs: hierarchy, fx: withAncestry.With(gcptest.Fixtures{ancestry + "example-staging:getAncestry": gcptest.DeniedReply}),
			want:     []evidence.Resource{managed(prod), self(prod), staging(prod, side{gap: denied}, nil), hostLink(prod, prod, no)},
			wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "denied local ancestry", envs: map[string]string{folder: "nonprod", "example-staging": "nonprod", "example-network-host": "prod"},
			fx: happy.With(gcptest.Fixtures{ancestry + project + ":getAncestry": gcptest.DeniedReply}),
			want: []evidence.Resource{managed(side{gap: denied}), self(side{gap: denied}), staging(side{gap: denied}, nonprod, nil),
				hostLink(side{gap: denied}, prod, nil)},
			wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "denied Shared VPC status keeps the peerings", envs: map[string]string{project: "prod", "example-staging": "nonprod"},
			fx:       gcptest.Fixtures{list: {Body: "compute_networks.json"}, get: gcptest.DeniedReply},
			want:     []evidence.Resource{managed(prod), self(prod), staging(prod, nonprod, yes)},
			wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "throttled", fx: gcptest.Fixtures{list: gcptest.ThrottledReply}, wantErr: evidence.Throttled},
		{name: "throttled Shared VPC host", envs: map[string]string{project: "prod", "example-staging": "nonprod"},
			fx:       gcptest.Fixtures{list: {Body: "compute_networks.json"}, get: {Body: "compute_project.json"}, xpnHost: gcptest.ThrottledReply},
			want:     []evidence.Resource{managed(prod), self(prod), staging(prod, nonprod, yes)},
			wantFail: []evidence.FailureKind{evidence.Throttled}},
		{name: "cancelled", fx: gcptest.Fixtures{list: block}, started: started, wantErr: evidence.Cancelled},
	})
}

func TestNetworkLinksCancelledDuringAncestry(t *testing.T) {
	t.Parallel()
	block, started := gcptest.Blocking()
	const base = "GET /compute/v1/projects/" + project
	runCases(t, "gcp.network_links", typeNetworkLink, []tcase{{
		name: "cancelled", envs: map[string]string{folder: "nonprod"}, started: started, wantErr: evidence.Cancelled,
		fx: gcptest.Fixtures{
			base + "/global/networks":                       {Body: "compute_networks.json"},
			base + "?fields=name%2CxpnProjectStatus":        {Body: "compute_project.json"},
			base + "/getXpnHost?fields=name":                {Body: "compute_xpn_host_none.json"},
			"POST /v1/projects/" + project + ":getAncestry": block,
		},
	}})
}
