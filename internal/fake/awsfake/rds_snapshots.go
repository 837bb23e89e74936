package awsfake

import "net/http"

// A DBSnapshot is a manual RDS DB snapshot the account owns.
type DBSnapshot struct {
	ID     string
	Region string
	DB     string
	// Public: its restore attribute includes "all".
	Public bool
	// Gone makes DescribeDBSnapshotAttributes answer DBSnapshotNotFound, as
	// for a snapshot deleted after it was listed.
	Gone bool
}

// serveDBSnapshots serves DescribeDBSnapshots (manual snapshots, paged) and
// DescribeDBSnapshotAttributes.
func (s *State) serveDBSnapshots(w http.ResponseWriter, req *Request) bool {
	switch req.Operation {
	case "DescribeDBSnapshots":
		var snaps []DBSnapshot
		if t := req.Form.Get("SnapshotType"); t == "" || t == "manual" {
			snaps = inRegion(s.DBSnapshots, req.Region, func(d DBSnapshot) string { return d.Region })
		}
		items, next := page(snaps, req.Form.Get("Marker"), s.PageSize)
		var ns []Node
		for _, d := range items {
			ns = append(ns, E("DBSnapshot", T("DBSnapshotIdentifier", d.ID), T("DBInstanceIdentifier", d.DB),
				T("DBSnapshotArn", "arn:aws:rds:"+d.Region+":"+s.AccountID+":snapshot:"+d.ID),
				T("SnapshotType", "manual"), T("Status", "available"), T("Engine", "postgres"), B("Encrypted", !d.Public)))
		}
		queryResponse(w, req.Operation, rdsNS, marker(E("DBSnapshots", ns...), next)...)
	case "DescribeDBSnapshotAttributes":
		id := req.Form.Get("DBSnapshotIdentifier")
		for _, d := range inRegion(s.DBSnapshots, req.Region, func(d DBSnapshot) string { return d.Region }) {
			if d.ID != id || d.Gone {
				continue
			}
			var vals []Node
			if d.Public {
				vals = append(vals, T("AttributeValue", "all"))
			}
			queryResponse(w, req.Operation, rdsNS, E("DBSnapshotAttributesResult", T("DBSnapshotIdentifier", d.ID),
				E("DBSnapshotAttributes", E("DBSnapshotAttribute", T("AttributeName", "restore"), E("AttributeValues", vals...)))))
			return true
		}
		writeError(w, req, http.StatusNotFound, "DBSnapshotNotFound", "DBSnapshot "+id+" not found.")
	default:
		return false
	}
	return true
}
