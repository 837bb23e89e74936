package awsfake

import (
	"strconv"
	"strings"
)

// A Snapshot is an EBS snapshot the account owns.
type Snapshot struct {
	ID     string
	Region string
	Volume string
	// Public: anyone may create a volume from it (createVolumePermission
	// group all).
	Public bool
}

// An Image is an AMI the account owns.
type Image struct {
	ID     string
	Name   string
	Region string
	// Public: the launch permission includes group all.
	Public bool
}

// hasFormValue reports whether a list parameter of req (e.g. "Owner" for
// Owner.1, Owner.2...) holds value.
func hasFormValue(req *Request, name, value string) bool {
	for k, vs := range req.Form {
		if k == name || strings.HasPrefix(k, name+".") {
			for _, v := range vs {
				if v == value {
					return true
				}
			}
		}
	}
	return false
}

// serveImages serves DescribeSnapshots and DescribeImages with paging. Only
// the account's own snapshots and images exist: a request must ask for
// Owner self; RestorableBy all selects the public snapshots.
func (s *State) serveImages(req *Request, resp func(...Node)) bool {
	size, _ := strconv.Atoi(req.Form.Get("MaxResults"))
	if s.PageSize > 0 {
		size = s.PageSize
	}
	withNext := func(kids []Node, next string) []Node {
		if next != "" {
			kids = append(kids, T("nextToken", next))
		}
		return kids
	}
	switch req.Operation {
	case "DescribeSnapshots":
		var snaps []Snapshot
		if hasFormValue(req, "Owner", "self") {
			for _, sn := range inRegion(s.Snapshots, req.Region, func(sn Snapshot) string { return sn.Region }) {
				if sn.Public || !hasFormValue(req, "RestorableBy", "all") {
					snaps = append(snaps, sn)
				}
			}
		}
		items, next := page(snaps, req.Form.Get("NextToken"), size)
		var ns []Node
		for _, sn := range items {
			ns = append(ns, E("item", T("snapshotId", sn.ID), T("volumeId", sn.Volume), T("status", "completed"),
				T("ownerId", s.AccountID), I("volumeSize", 8), B("encrypted", false)))
		}
		resp(withNext([]Node{E("snapshotSet", ns...)}, next)...)
	case "DescribeImages":
		var imgs []Image
		if hasFormValue(req, "Owner", "self") {
			imgs = inRegion(s.Images, req.Region, func(i Image) string { return i.Region })
		}
		items, next := page(imgs, req.Form.Get("NextToken"), size)
		var ns []Node
		for _, i := range items {
			ns = append(ns, E("item", T("imageId", i.ID), T("name", i.Name), T("imageState", "available"),
				T("imageOwnerId", s.AccountID), B("isPublic", i.Public), T("imageType", "machine")))
		}
		resp(withNext([]Node{E("imagesSet", ns...)}, next)...)
	default:
		return false
	}
	return true
}
