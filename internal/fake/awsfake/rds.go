package awsfake

import "net/http"

const rdsNS = "http://rds.amazonaws.com/doc/2014-10-31/"

func (s *State) serveRDS(w http.ResponseWriter, req *Request) bool {
	switch req.Operation {
	case "DescribeDBInstances":
		dbs := inRegion(s.DBInstances, req.Region, func(d DBInstance) string { return d.Region })
		items, next := page(dbs, req.Form.Get("Marker"), s.PageSize)
		var ns []Node
		for _, d := range items {
			kids := []Node{T("DBInstanceIdentifier", d.ID),
				T("DBInstanceArn", "arn:aws:rds:"+d.Region+":"+s.AccountID+":db:"+d.ID),
				T("Engine", d.Engine), T("DBInstanceStatus", "available"), B("StorageEncrypted", d.Encrypted),
				I("BackupRetentionPeriod", d.BackupRetention), B("MultiAZ", d.MultiAZ),
				B("DeletionProtection", d.DeletionProtection), B("PubliclyAccessible", d.Public)}
			if d.Cluster != "" {
				kids = append(kids, T("DBClusterIdentifier", d.Cluster))
			}
			ns = append(ns, E("DBInstance", kids...))
		}
		queryResponse(w, req.Operation, rdsNS, marker(E("DBInstances", ns...), next)...)
	case "DescribeDBClusters":
		cs := inRegion(s.DBClusters, req.Region, func(d DBCluster) string { return d.Region })
		items, next := page(cs, req.Form.Get("Marker"), s.PageSize)
		var ns []Node
		for _, d := range items {
			ns = append(ns, E("DBCluster", T("DBClusterIdentifier", d.ID),
				T("DBClusterArn", "arn:aws:rds:"+d.Region+":"+s.AccountID+":cluster:"+d.ID),
				T("Engine", d.Engine), T("Status", "available"), B("StorageEncrypted", d.Encrypted),
				I("BackupRetentionPeriod", d.BackupRetention), B("MultiAZ", d.MultiAZ),
				B("DeletionProtection", d.DeletionProtection), B("PubliclyAccessible", d.Public)))
		}
		queryResponse(w, req.Operation, rdsNS, marker(E("DBClusters", ns...), next)...)
	default:
		return s.serveDBSnapshots(w, req)
	}
	return true
}

func marker(list Node, next string) []Node {
	if next == "" {
		return []Node{list}
	}
	return []Node{list, T("Marker", next)}
}
