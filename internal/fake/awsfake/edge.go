package awsfake

import (
	"net/http"
	"slices"
	"strings"
)

// Edge holds an account's AWS WAF (WAFv2, JSON 1.1) web ACLs and API
// Gateway REST APIs (REST-JSON).
type Edge struct {
	WebACLs  []WebACL
	RestAPIs []RestAPI
}

// A WebACL is a WAFv2 web ACL: regional, or of scope CLOUDFRONT (Global,
// served in us-east-1).
type WebACL struct {
	Name, Region string
	Global       bool
	// LoadBalancers names the load balancers (of State.LoadBalancers) the
	// web ACL is associated with.
	LoadBalancers []string
	// Rules are its rules, in priority order.
	Rules []WebACLRule
	// DefaultBlock makes the default action Block instead of Allow.
	DefaultBlock bool
}

// A WebACLRule is a rule of a web ACL: a managed rule group (ManagedGroup,
// vendor AWS), whose action Count overrides to count, or a rate-based rule
// with Action "Block", "Allow" or "Count".
type WebACLRule struct {
	Name         string
	ManagedGroup string
	Count        bool
	Action       string
}

// webACLID is the id of every fake web ACL.
const webACLID = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"

// GlobalWebACLARN returns the ARN of the web ACL name of scope CLOUDFRONT
// of account.
func GlobalWebACLARN(account, name string) string {
	return "arn:aws:wafv2:us-east-1:" + account + ":global/webacl/" + name + "/" + webACLID
}

// webACL renders a as the WebACL of a GetWebACL response.
func (s *State) webACL(a WebACL) map[string]any {
	arn := s.webACLARN(a.Region, a.Name)
	if a.Global {
		arn = GlobalWebACLARN(s.AccountID, a.Name)
	}
	vis := func(name string) map[string]any {
		return map[string]any{"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": name}
	}
	def := map[string]any{"Allow": map[string]any{}}
	if a.DefaultBlock {
		def = map[string]any{"Block": map[string]any{}}
	}
	rules := []map[string]any{}
	for i, r := range a.Rules {
		m := map[string]any{"Name": r.Name, "Priority": i, "VisibilityConfig": vis(r.Name)}
		if r.ManagedGroup != "" {
			m["Statement"] = map[string]any{"ManagedRuleGroupStatement": map[string]any{"VendorName": "AWS", "Name": r.ManagedGroup}}
			if r.Count {
				m["OverrideAction"] = map[string]any{"Count": map[string]any{}}
			} else {
				m["OverrideAction"] = map[string]any{"None": map[string]any{}}
			}
		} else {
			m["Statement"] = map[string]any{"RateBasedStatement": map[string]any{"Limit": 2000, "AggregateKeyType": "IP", "EvaluationWindowSec": 300}}
			m["Action"] = map[string]any{r.Action: map[string]any{}}
		}
		rules = append(rules, m)
	}
	return map[string]any{"Name": a.Name, "Id": webACLID, "ARN": arn, "DefaultAction": def, "Description": "",
		"Rules": rules, "VisibilityConfig": vis(a.Name), "Capacity": 700, "ManagedByFirewallManager": false,
		"LabelNamespace": "awswaf:" + s.AccountID + ":webacl:" + a.Name + ":"}
}

// A RestAPI is an API Gateway REST API.
type RestAPI struct {
	ID, Name, Region string
	Private          bool
	Stages           []Stage
}

// A Stage is a stage of a REST API.
type Stage struct {
	Name string
	// WebACL names the regional web ACL associated with the stage, "" for
	// none.
	WebACL string
}

func (s *State) webACLARN(region, name string) string {
	return "arn:aws:wafv2:" + region + ":" + s.AccountID + ":regional/webacl/" + name + "/" + webACLID
}

func (s *State) serveWAFv2(w http.ResponseWriter, req *Request) bool {
	acls := inRegion(s.Edge.WebACLs, req.Region, func(a WebACL) string { return a.Region })
	switch req.Operation {
	case "ListWebACLs":
		global := str(req.JSON, "Scope") == "CLOUDFRONT"
		acls = slices.DeleteFunc(slices.Clone(acls), func(a WebACL) bool { return a.Global != global })
		items, next := page(acls, str(req.JSON, "NextMarker"), s.PageSize)
		list := []map[string]any{}
		for _, a := range items {
			list = append(list, map[string]any{"Name": a.Name, "Id": webACLID, "ARN": s.webACLARN(a.Region, a.Name),
				"Description": "", "LockToken": "1ed1a4a0-9d8e-4a4a-8d9b-EXAMPLE22222"})
		}
		out := map[string]any{"WebACLs": list}
		if next != "" {
			out["NextMarker"] = next
		}
		writeJSON(w, json11, out)
	case "GetWebACL":
		global := str(req.JSON, "Scope") == "CLOUDFRONT"
		for _, a := range acls {
			if a.Name == str(req.JSON, "Name") && str(req.JSON, "Id") == webACLID && a.Global == global {
				writeJSON(w, json11, map[string]any{"WebACL": s.webACL(a), "LockToken": "1ed1a4a0-9d8e-4a4a-8d9b-EXAMPLE22222"})
				return true
			}
		}
		writeError(w, req, http.StatusBadRequest, "WAFNonexistentItemException", "AWS WAF couldn’t perform the operation because your resource doesn’t exist.")
	case "ListResourcesForWebACL":
		arn := str(req.JSON, "WebACLArn")
		for _, a := range acls {
			if s.webACLARN(a.Region, a.Name) != arn {
				continue
			}
			arns := []string{}
			if str(req.JSON, "ResourceType") == "APPLICATION_LOAD_BALANCER" {
				for _, lb := range s.LoadBalancers {
					for _, name := range a.LoadBalancers {
						if lb.Name == name && lb.Region == a.Region {
							arns = append(arns, s.lbARN(lb))
						}
					}
				}
			}
			writeJSON(w, json11, map[string]any{"ResourceArns": arns})
			return true
		}
		writeError(w, req, http.StatusBadRequest, "WAFNonexistentItemException", "AWS WAF couldn’t perform the operation because your resource doesn’t exist.")
	default:
		return false
	}
	return true
}

// apiGatewayOperation names an API Gateway REST request.
func apiGatewayOperation(r *http.Request) string {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method != http.MethodGet:
		return "Update" + r.Method
	case len(parts) == 1 && parts[0] == "restapis":
		return "GetRestApis"
	case len(parts) == 3 && parts[0] == "restapis" && parts[2] == "stages":
		return "GetStages"
	}
	return "Unknown" + r.Method
}

func (s *State) serveAPIGateway(w http.ResponseWriter, req *Request) bool {
	apis := inRegion(s.Edge.RestAPIs, req.Region, func(a RestAPI) string { return a.Region })
	switch req.Operation {
	case "GetRestApis":
		items, next := page(apis, req.HTTP.URL.Query().Get("position"), s.PageSize)
		list := []map[string]any{}
		for _, a := range items {
			kind := "REGIONAL"
			if a.Private {
				kind = "PRIVATE"
			}
			list = append(list, map[string]any{"id": a.ID, "name": a.Name, "createdDate": 1.6e9,
				"endpointConfiguration": map[string]any{"types": []string{kind}}})
		}
		out := map[string]any{"item": list}
		if next != "" {
			out["position"] = next
		}
		writeJSON(w, "application/json", out)
	case "GetStages":
		id := strings.Split(strings.Trim(req.HTTP.URL.Path, "/"), "/")[1]
		for _, a := range apis {
			if a.ID != id {
				continue
			}
			list := []map[string]any{}
			for _, st := range a.Stages {
				m := map[string]any{"stageName": st.Name, "deploymentId": "abc123", "createdDate": 1.6e9}
				if st.WebACL != "" {
					m["webAclArn"] = s.webACLARN(a.Region, st.WebACL)
				}
				list = append(list, m)
			}
			writeJSON(w, "application/json", map[string]any{"item": list})
			return true
		}
		writeError(w, req, http.StatusNotFound, "NotFoundException", "Invalid API identifier specified")
	default:
		return false
	}
	return true
}
