package awsfake

import (
	"net/http"
	"strconv"
)

const ec2NS = "http://ec2.amazonaws.com/doc/2016-11-15/"

func (s *State) serveEC2(w http.ResponseWriter, req *Request) bool {
	resp := func(kids ...Node) {
		writeXML(w, http.StatusOK, E(req.Operation+"Response xmlns=\""+ec2NS+"\"", append([]Node{T("requestId", "FAKE")}, kids...)...))
	}
	switch req.Operation {
	case "DescribeRegions":
		var rs []Node
		for _, r := range s.Regions {
			rs = append(rs, E("item", T("regionName", r), T("regionEndpoint", "ec2."+r+".amazonaws.com"), T("optInStatus", "opt-in-not-required")))
		}
		resp(E("regionInfo", rs...))
	case "GetEbsEncryptionByDefault":
		resp(B("ebsEncryptionByDefault", s.EBSDefaultEncryption[req.Region]), T("sseType", "sse-ebs"))
	case "DescribeVolumes":
		vols := inRegion(s.Volumes, req.Region, func(v Volume) string { return v.Region })
		size, _ := strconv.Atoi(req.Form.Get("MaxResults"))
		if s.PageSize > 0 {
			size = s.PageSize
		}
		items, next := page(vols, req.Form.Get("NextToken"), size)
		var vs []Node
		for _, v := range items {
			vs = append(vs, E("item", T("volumeId", v.ID), I("size", v.SizeGiB), T("availabilityZone", v.Region+"a"),
				T("status", v.State), B("encrypted", v.Encrypted), T("volumeType", "gp3")))
		}
		kids := []Node{E("volumeSet", vs...)}
		if next != "" {
			kids = append(kids, T("nextToken", next))
		}
		resp(kids...)
	default:
		return s.serveNetwork(w, req, resp) || s.serveInstances(w, req, resp) || s.serveImages(req, resp)
	}
	return true
}
