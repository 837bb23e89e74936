package awsfake

import (
	"net/http"
	"strings"
)

// Edge holds an account's AWS WAF (WAFv2, JSON 1.1) web ACLs and API
// Gateway REST APIs (REST-JSON).
type Edge struct {
	WebACLs  []WebACL
	RestAPIs []RestAPI
}

// A WebACL is a regional WAFv2 web ACL.
type WebACL struct {
	Name, Region string
	// LoadBalancers names the load balancers (of State.LoadBalancers) the
	// web ACL is associated with.
	LoadBalancers []string
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
	return "arn:aws:wafv2:" + region + ":" + s.AccountID + ":regional/webacl/" + name + "/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
}

func (s *State) serveWAFv2(w http.ResponseWriter, req *Request) bool {
	acls := inRegion(s.Edge.WebACLs, req.Region, func(a WebACL) string { return a.Region })
	switch req.Operation {
	case "ListWebACLs":
		if str(req.JSON, "Scope") != "REGIONAL" {
			acls = nil
		}
		items, next := page(acls, str(req.JSON, "NextMarker"), s.PageSize)
		list := []map[string]any{}
		for _, a := range items {
			list = append(list, map[string]any{"Name": a.Name, "Id": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "ARN": s.webACLARN(a.Region, a.Name),
				"Description": "", "LockToken": "1ed1a4a0-9d8e-4a4a-8d9b-EXAMPLE22222"})
		}
		out := map[string]any{"WebACLs": list}
		if next != "" {
			out["NextMarker"] = next
		}
		writeJSON(w, json11, out)
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
