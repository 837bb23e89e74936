package awsfake

import (
	"net/http"
	"slices"
)

// serveInstances serves DescribeSubnets and DescribeInstances with paging.
func (s *State) serveInstances(w http.ResponseWriter, req *Request, resp func(...Node)) bool {
	withNext := func(kids []Node, next string) []Node {
		if next != "" {
			kids = append(kids, T("nextToken", next))
		}
		return kids
	}
	switch req.Operation {
	case "DescribeSubnets":
		subs := inRegion(s.Protection.Subnets, req.Region, func(n Subnet) string { return n.Region })
		items, next := page(subs, req.Form.Get("NextToken"), s.PageSize)
		var ns []Node
		for _, n := range items {
			keys := make([]string, 0, len(n.Tags))
			for k := range n.Tags {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			var tags []Node
			for _, k := range keys {
				tags = append(tags, E("item", T("key", k), T("value", n.Tags[k])))
			}
			ns = append(ns, E("item", T("subnetId", n.ID), T("vpcId", n.VPC), T("state", "available"),
				T("availabilityZone", n.Region+"a"), T("cidrBlock", "10.0.0.0/24"), E("tagSet", tags...)))
		}
		resp(withNext([]Node{E("subnetSet", ns...)}, next)...)
	case "DescribeInstances":
		is := inRegion(s.Protection.Instances, req.Region, func(i Instance) string { return i.Region })
		items, next := page(is, req.Form.Get("NextToken"), s.PageSize)
		var rs []Node
		for _, i := range items {
			kids := []Node{T("instanceId", i.ID), T("instanceType", "t3.micro"),
				E("instanceState", I("code", stateCode(i.State)), T("name", i.State)),
				T("privateIpAddress", "10.0.0.10")}
			if i.Subnet != "" {
				kids = append(kids, T("subnetId", i.Subnet))
			}
			if i.PublicIP != "" {
				kids = append(kids, T("ipAddress", i.PublicIP))
			}
			tokens, endpoint := i.IMDSTokens, "enabled"
			if tokens == "" {
				tokens = "optional"
			}
			if i.IMDSDisabled {
				endpoint = "disabled"
			}
			kids = append(kids, E("metadataOptions", T("state", "applied"), T("httpTokens", tokens),
				I("httpPutResponseHopLimit", 2), T("httpEndpoint", endpoint)))
			rs = append(rs, E("item", T("reservationId", "r-"+i.ID[2:]), T("ownerId", s.AccountID), E("instancesSet", E("item", kids...))))
		}
		resp(withNext([]Node{E("reservationSet", rs...)}, next)...)
	default:
		return false
	}
	return true
}

// stateCode returns the EC2 instance state code of name.
func stateCode(name string) int {
	return map[string]int{"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}[name]
}
