package awsfake

import (
	"maps"
	"net/http"
	"slices"
	"strings"
)

// A Peering is an active VPC peering connection.
type Peering struct {
	ID, Region                 string
	RequesterAccount, Accepter string
	RequesterVPC, AccepterVPC  string
}

func (s *State) serveOrgParents(w http.ResponseWriter, req *Request) bool {
	if req.Operation == "ListTagsForResource" {
		return s.serveAccountTags(w, req)
	}
	if req.Operation != "ListParents" {
		return false
	}
	child := str(req.JSON, "ChildId")
	parent, ok := s.Parents[child]
	if !ok {
		writeError(w, req, http.StatusBadRequest, "ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
		return true
	}
	kind := "ORGANIZATIONAL_UNIT"
	if strings.HasPrefix(parent, "r-") {
		kind = "ROOT"
	}
	writeJSON(w, json11, map[string]any{"Parents": []map[string]any{{"Id": parent, "Type": kind}}})
	return true
}

// serveAccountTags serves organizations:ListTagsForResource for accounts,
// one tag a page when PageSize is 1, sorted by key.
func (s *State) serveAccountTags(w http.ResponseWriter, req *Request) bool {
	id := str(req.JSON, "ResourceId")
	tags, ok := s.AccountTags[id]
	if !ok && s.Parents[id] == "" {
		writeError(w, req, http.StatusBadRequest, "TargetNotFoundException", "We can't find a resource with the ResourceId that you specified.")
		return true
	}
	keys := slices.Sorted(maps.Keys(tags))
	items, next := page(keys, str(req.JSON, "NextToken"), s.PageSize)
	out := []map[string]any{}
	for _, k := range items {
		out = append(out, map[string]any{"Key": k, "Value": tags[k]})
	}
	resp := map[string]any{"Tags": out}
	if next != "" {
		resp["NextToken"] = next
	}
	writeJSON(w, json11, resp)
	return true
}

// servePeering serves ec2:DescribeVpcPeeringConnections (all connections
// are active).
func (s *State) servePeering(w http.ResponseWriter, req *Request, resp func(...Node)) bool {
	if req.Operation != "DescribeVpcPeeringConnections" {
		return false
	}
	ps := inRegion(s.Network.Peerings, req.Region, func(p Peering) string { return p.Region })
	items, next := page(ps, req.Form.Get("NextToken"), s.PageSize)
	var ns []Node
	for _, p := range items {
		ns = append(ns, E("item", T("vpcPeeringConnectionId", p.ID),
			E("requesterVpcInfo", T("ownerId", p.RequesterAccount), T("vpcId", p.RequesterVPC), T("region", p.Region)),
			E("accepterVpcInfo", T("ownerId", p.Accepter), T("vpcId", p.AccepterVPC), T("region", p.Region)),
			E("status", T("code", "active"), T("message", "Active"))))
	}
	kids := []Node{E("vpcPeeringConnectionSet", ns...)}
	if next != "" {
		kids = append(kids, T("nextToken", next))
	}
	resp(kids...)
	return true
}
