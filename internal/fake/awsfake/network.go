package awsfake

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"
)

// Network is the network configuration of an account: VPCs, security
// groups and VPC flow logs (EC2 query protocol).
type Network struct {
	VPCs           []VPC
	SecurityGroups []SecurityGroup
	FlowLogs       []FlowLog
	Peerings       []Peering
}

// A VPC is a virtual private cloud.
type VPC struct {
	ID      string
	Region  string
	CIDR    string
	Default bool
	// Interfaces is the number of network interfaces in the VPC.
	Interfaces int
	// Owner is the account that owns a VPC shared with this account
	// through VPC sharing; "" for a VPC of this account.
	Owner string
}

// A SecurityGroup is an EC2 security group.
type SecurityGroup struct {
	ID     string
	Name   string
	Region string
	VPC    string
	// Ingress are the inbound rules.
	Ingress []SGRule
	// Egress are the outbound rules.
	Egress []SGRule
}

// An SGRule is an inbound security group rule.
type SGRule struct {
	// Protocol is "tcp", "udp", "icmp" or "-1" (all).
	Protocol string
	From, To int
	// CIDRs are IPv4 and IPv6 source ranges, e.g. "0.0.0.0/0" or "::/0".
	CIDRs []string
	// Groups are source security group ids.
	Groups []string
}

// A FlowLog is a VPC flow log.
type FlowLog struct {
	ID     string
	Region string
	VPC    string
	// Traffic is "ALL", "ACCEPT" or "REJECT".
	Traffic string
	// Inactive flow logs are not delivering.
	Inactive bool
}

// serveNetwork serves the EC2 network operations; resp writes an EC2
// response with the given children.
func (s *State) serveNetwork(w http.ResponseWriter, req *Request, resp func(...Node)) bool {
	withNext := func(kids []Node, next string) []Node {
		if next != "" {
			kids = append(kids, T("nextToken", next))
		}
		return kids
	}
	switch req.Operation {
	case "DescribeSecurityGroups":
		gs := inRegion(s.Network.SecurityGroups, req.Region, func(g SecurityGroup) string { return g.Region })
		items, next := page(gs, req.Form.Get("NextToken"), s.PageSize)
		var ns []Node
		for _, g := range items {
			ns = append(ns, E("item", T("ownerId", s.AccountID), T("groupId", g.ID), T("groupName", g.Name),
				T("groupDescription", g.Name), T("vpcId", g.VPC), E("ipPermissions", s.sgPermissions(g.Ingress)...),
				E("ipPermissionsEgress", s.sgPermissions(g.Egress)...)))
		}
		resp(withNext([]Node{E("securityGroupInfo", ns...)}, next)...)
	case "DescribeVpcs":
		vs := inRegion(s.Network.VPCs, req.Region, func(v VPC) string { return v.Region })
		items, next := page(vs, req.Form.Get("NextToken"), s.PageSize)
		var ns []Node
		for _, v := range items {
			ns = append(ns, E("item", T("vpcId", v.ID), T("ownerId", cmp.Or(v.Owner, s.AccountID)), T("state", "available"), T("cidrBlock", v.CIDR),
				T("dhcpOptionsId", "dopt-19edf471"), T("instanceTenancy", "default"), B("isDefault", v.Default)))
		}
		resp(withNext([]Node{E("vpcSet", ns...)}, next)...)
	case "DescribeFlowLogs":
		fs := inRegion(s.Network.FlowLogs, req.Region, func(f FlowLog) string { return f.Region })
		items, next := page(fs, req.Form.Get("NextToken"), s.PageSize)
		var ns []Node
		for _, f := range items {
			status := "ACTIVE"
			if f.Inactive {
				status = "INACTIVE"
			}
			ns = append(ns, E("item", T("flowLogId", f.ID), T("flowLogStatus", status), T("resourceId", f.VPC),
				T("trafficType", f.Traffic), T("logDestinationType", "cloud-watch-logs"), T("logGroupName", "vpc-flow-logs"),
				T("deliverLogsStatus", "SUCCESS")))
		}
		resp(withNext([]Node{E("flowLogSet", ns...)}, next)...)
	case "DescribeNetworkInterfaces":
		vpc := ""
		for i := 1; req.Form.Has("Filter." + strconv.Itoa(i) + ".Name"); i++ {
			if req.Form.Get("Filter."+strconv.Itoa(i)+".Name") == "vpc-id" {
				vpc = req.Form.Get("Filter." + strconv.Itoa(i) + ".Value.1")
			}
		}
		var ns []Node
		for _, v := range inRegion(s.Network.VPCs, req.Region, func(v VPC) string { return v.Region }) {
			if vpc != "" && v.ID != vpc {
				continue
			}
			for j := range min(v.Interfaces, 5) {
				ns = append(ns, E("item", T("networkInterfaceId", "eni-"+strings.TrimPrefix(v.ID, "vpc-")+strconv.Itoa(j)),
					T("vpcId", v.ID), T("status", "in-use"), T("interfaceType", "interface")))
			}
		}
		resp(E("networkInterfaceSet", ns...))
	default:
		return s.servePeering(w, req, resp)
	}
	return true
}

// sgPermissions renders security group rules as ipPermissions items.
func (s *State) sgPermissions(rules []SGRule) []Node {
	var perms []Node
	for _, r := range rules {
		var v4, v6, groups []Node
		for _, c := range r.CIDRs {
			if strings.Contains(c, ":") {
				v6 = append(v6, E("item", T("cidrIpv6", c)))
			} else {
				v4 = append(v4, E("item", T("cidrIp", c)))
			}
		}
		for _, g := range r.Groups {
			groups = append(groups, E("item", T("userId", s.AccountID), T("groupId", g)))
		}
		kids := []Node{T("ipProtocol", r.Protocol)}
		if r.Protocol != "-1" {
			kids = append(kids, I("fromPort", r.From), I("toPort", r.To))
		}
		perms = append(perms, E("item", append(kids, E("groups", groups...), E("ipRanges", v4...), E("ipv6Ranges", v6...), E("prefixListIds"))...))
	}
	return perms
}
