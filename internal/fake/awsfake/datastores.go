package awsfake

import (
	"encoding/json"
	"net/http"
	"slices"
)

// DataStores holds an account's Redshift clusters (query XML) and
// OpenSearch Service domains (REST-JSON).
type DataStores struct {
	RedshiftClusters []RedshiftCluster
	Domains          []Domain
}

// A RedshiftCluster is a Redshift provisioned cluster.
type RedshiftCluster struct {
	ID, Region        string
	Public, Encrypted bool
	MultiAZ           bool
}

// A Domain is an OpenSearch Service domain; a domain without VPC has a
// public endpoint.
type Domain struct {
	Name, Region                  string
	VPC                           string
	Encrypted, NodeToNode, ZoneHA bool
}

const redshiftNS = "http://redshift.amazonaws.com/doc/2012-12-01/"

func (s *State) serveRedshift(w http.ResponseWriter, req *Request) bool {
	if req.Operation != "DescribeClusters" {
		return false
	}
	cs := inRegion(s.DataStores.RedshiftClusters, req.Region, func(c RedshiftCluster) string { return c.Region })
	items, next := page(cs, req.Form.Get("Marker"), s.PageSize)
	var ns []Node
	for _, c := range items {
		multi := "Disabled"
		if c.MultiAZ {
			multi = "Enabled"
		}
		ns = append(ns, E("Cluster", T("ClusterIdentifier", c.ID), T("NodeType", "ra3.xlplus"), T("ClusterStatus", "available"),
			T("DBName", "dev"), B("PubliclyAccessible", c.Public), B("Encrypted", c.Encrypted), T("MultiAZ", multi),
			E("Endpoint", T("Address", c.ID+".abc123xyz789."+c.Region+".redshift.amazonaws.com"), I("Port", 5439))))
	}
	kids := []Node{E("Clusters", ns...)}
	if next != "" {
		kids = append(kids, T("Marker", next))
	}
	queryResponse(w, req.Operation, redshiftNS, kids...)
	return true
}

// openSearchOperation names an OpenSearch Service REST request and decodes
// its JSON body.
func openSearchOperation(r *http.Request, body []byte) (string, map[string]any) {
	var in map[string]any
	_ = json.Unmarshal(body, &in)
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/2021-01-01/domain":
		return "ListDomainNames", in
	case r.Method == http.MethodPost && r.URL.Path == "/2021-01-01/opensearch/domain-info":
		return "DescribeDomains", in
	}
	return "Unknown" + r.Method, in
}

func (s *State) domainARN(d Domain) string {
	return "arn:aws:es:" + d.Region + ":" + s.AccountID + ":domain/" + d.Name
}

func (s *State) serveOpenSearch(w http.ResponseWriter, req *Request) bool {
	ds := inRegion(s.DataStores.Domains, req.Region, func(d Domain) string { return d.Region })
	switch req.Operation {
	case "ListDomainNames":
		list := []map[string]any{}
		for _, d := range ds {
			list = append(list, map[string]any{"DomainName": d.Name, "EngineType": "OpenSearch"})
		}
		writeJSON(w, "application/json", map[string]any{"DomainNames": list})
	case "DescribeDomains":
		var want []string
		names, _ := req.JSON["DomainNames"].([]any)
		for _, n := range names {
			if v, ok := n.(string); ok {
				want = append(want, v)
			}
		}
		if len(want) > 5 {
			writeError(w, req, http.StatusBadRequest, "ValidationException", "Please provide a maximum of 5 domain names")
			return true
		}
		list := []map[string]any{}
		for _, d := range ds {
			if !slices.Contains(want, d.Name) {
				continue
			}
			m := map[string]any{"DomainName": d.Name, "DomainId": s.AccountID + "/" + d.Name, "ARN": s.domainARN(d),
				"EngineVersion": "OpenSearch_2.13", "Created": true, "Deleted": false, "Processing": false,
				"ClusterConfig":               map[string]any{"InstanceType": "r6g.large.search", "InstanceCount": 2, "ZoneAwarenessEnabled": d.ZoneHA},
				"EncryptionAtRestOptions":     map[string]any{"Enabled": d.Encrypted},
				"NodeToNodeEncryptionOptions": map[string]any{"Enabled": d.NodeToNode}}
			if d.VPC != "" {
				m["VPCOptions"] = map[string]any{"VPCId": d.VPC, "SubnetIds": []string{"subnet-0a1b2c3d"}, "SecurityGroupIds": []string{"sg-0a1b2c3d"}}
				m["Endpoints"] = map[string]any{"vpc": "vpc-" + d.Name + ".search.amazonaws.com"}
			} else {
				m["Endpoint"] = "search-" + d.Name + "." + d.Region + ".es.amazonaws.com"
			}
			list = append(list, m)
		}
		writeJSON(w, "application/json", map[string]any{"DomainStatusList": list})
	default:
		return false
	}
	return true
}
