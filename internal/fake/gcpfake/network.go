package gcpfake

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Subnet is a VPC subnetwork.
type Subnet struct {
	Name, Network, Region, CIDR   string
	FlowLogs, PrivateGoogleAccess bool
}

// Secret is a Secret Manager secret. RotationDays 0 means no rotation
// schedule; Locations empty means automatic replication.
type Secret struct {
	Name         string
	Created      time.Time
	RotationDays int
	Locations    []string
	KMSKey       string
}

// subnets serves compute.subnetworks.aggregatedList.
func (s *State) subnets(w http.ResponseWriter, r *http.Request, pr *Project) {
	scopes := make([]string, len(pr.Subnets))
	items := make([]any, len(pr.Subnets))
	for i, sn := range pr.Subnets {
		scopes[i], items[i] = "regions/"+sn.Region, subnetJSON(pr, sn)
	}
	s.aggregated(w, r, pr, "subnetworks", scopes, items)
}

// backends serves compute.backendServices.aggregatedList.
func (s *State) backends(w http.ResponseWriter, r *http.Request, pr *Project) {
	scopes := make([]string, len(pr.Backends))
	items := make([]any, len(pr.Backends))
	for i, b := range pr.Backends {
		scopes[i], items[i] = "global", backendJSON(pr, b)
		if b.Region != "" {
			scopes[i] = "regions/" + b.Region
		}
	}
	s.aggregated(w, r, pr, "backendServices", scopes, items)
}

// aggregated writes one page of a Compute Engine aggregated list: items
// (with their scopes) grouped by scope under key.
func (s *State) aggregated(w http.ResponseWriter, r *http.Request, pr *Project, key string, scopes []string, items []any) {
	start, _ := strconv.Atoi(r.URL.Query().Get("pageToken"))
	start = min(max(start, 0), len(items))
	end := len(items)
	if s.PageSize > 0 {
		end = min(start+s.PageSize, end)
	}
	grouped := map[string]any{}
	for i := start; i < end; i++ {
		m, _ := grouped[scopes[i]].(map[string]any)
		if m == nil {
			m = map[string]any{key: []any{}}
		}
		m[key] = append(m[key].([]any), items[i])
		grouped[scopes[i]] = m
	}
	kind := strings.TrimSuffix(key, "s")
	out := map[string]any{"kind": "compute#" + kind + "AggregatedList", "items": grouped,
		"selfLink": "https://www.googleapis.com/compute/v1/projects/" + pr.ID + "/aggregated/" + key}
	if end < len(items) {
		out["nextPageToken"] = strconv.Itoa(end)
	}
	writeJSON(w, out)
}

// BackendService is a load balancer backend service; Region "" means
// global. Policy names its Cloud Armor security policy, "" for none.
type BackendService struct {
	Name, Region, Scheme, Policy string
}

// AlertPolicy is a Cloud Monitoring alerting policy.
type AlertPolicy struct {
	Name     string
	Disabled bool
	Channels int
	// LogMetrics, when set, are the log-based metrics the policy's
	// conditions watch, one condition each, instead of a load balancer
	// request count.
	LogMetrics []string
}

func backendJSON(pr *Project, b BackendService) map[string]any {
	base := "https://www.googleapis.com/compute/v1/projects/" + pr.ID
	self := base + "/global/backendServices/" + b.Name
	out := map[string]any{"kind": "compute#backendService", "id": strconv.Itoa(len(b.Name) * 7901), "name": b.Name,
		"loadBalancingScheme": b.Scheme, "protocol": "HTTPS", "port": 443, "portName": "https", "timeoutSec": 30}
	if b.Region != "" {
		self = base + "/regions/" + b.Region + "/backendServices/" + b.Name
		out["region"] = base + "/regions/" + b.Region
	}
	out["selfLink"] = self
	if b.Policy != "" {
		out["securityPolicy"] = base + "/global/securityPolicies/" + b.Policy
	}
	return out
}

func alertPolicyJSON(pr *Project, a AlertPolicy) map[string]any {
	name := "projects/" + pr.ID + "/alertPolicies/" + strconv.Itoa(len(a.Name)*104729)
	var chans []any
	for i := range a.Channels {
		chans = append(chans, "projects/"+pr.ID+"/notificationChannels/"+strconv.Itoa(1000+i))
	}
	out := map[string]any{"name": name, "displayName": a.Name, "combiner": "OR",
		"conditions": []any{map[string]any{"name": name + "/conditions/1", "displayName": a.Name,
			"conditionThreshold": map[string]any{"filter": `metric.type="loadbalancing.googleapis.com/https/request_count"`, "comparison": "COMPARISON_GT", "duration": "300s"}}},
		"notificationChannels": chans}
	if len(a.LogMetrics) > 0 {
		out["conditions"] = alertConditions(name, a.LogMetrics)
	}
	if !a.Disabled {
		out["enabled"] = true
	}
	return out
}

func subnetJSON(pr *Project, sn Subnet) map[string]any {
	base := "https://www.googleapis.com/compute/v1/projects/" + pr.ID
	out := map[string]any{
		"kind": "compute#subnetwork", "id": strconv.Itoa(len(sn.Name) * 7907), "name": sn.Name, "ipCidrRange": sn.CIDR,
		"network": base + "/global/networks/" + sn.Network, "region": base + "/regions/" + sn.Region,
		"gatewayAddress": "10.0.0.1", "privateIpGoogleAccess": sn.PrivateGoogleAccess, "purpose": "PRIVATE", "stackType": "IPV4_ONLY",
		"selfLink": base + "/regions/" + sn.Region + "/subnetworks/" + sn.Name,
	}
	if sn.FlowLogs {
		out["enableFlowLogs"] = true
		out["logConfig"] = map[string]any{"enable": true, "aggregationInterval": "INTERVAL_5_SEC", "flowSampling": 0.5, "metadata": "INCLUDE_ALL_METADATA"}
	}
	return out
}

func secretJSON(pr *Project, sec Secret) map[string]any {
	var cmek map[string]any
	if sec.KMSKey != "" {
		cmek = map[string]any{"kmsKeyName": sec.KMSKey}
	}
	repl := map[string]any{"automatic": map[string]any{}}
	if cmek != nil {
		repl["automatic"] = map[string]any{"customerManagedEncryption": cmek}
	}
	if len(sec.Locations) > 0 {
		var rs []any
		for _, l := range sec.Locations {
			r := map[string]any{"location": l}
			if cmek != nil {
				r["customerManagedEncryption"] = cmek
			}
			rs = append(rs, r)
		}
		repl = map[string]any{"userManaged": map[string]any{"replicas": rs}}
	}
	out := map[string]any{
		"name": "projects/" + strconv.FormatInt(pr.Number, 10) + "/secrets/" + sec.Name, "replication": repl,
		"createTime": sec.Created.UTC().Format(time.RFC3339Nano), "etag": "\"1a2b3c\"",
	}
	if sec.RotationDays > 0 {
		out["rotation"] = map[string]any{"rotationPeriod": strconv.Itoa(sec.RotationDays*86400) + "s",
			"nextRotationTime": sec.Created.Add(time.Duration(sec.RotationDays) * 24 * time.Hour).UTC().Format(time.RFC3339)}
		out["topics"] = []any{map[string]any{"name": "projects/" + pr.ID + "/topics/secret-rotation"}}
	}
	return out
}
