package gcpfake

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Instance is a Compute Engine VM instance in Zone. OSLogin nil leaves
// enable-oslogin unset on the instance (the project's value applies).
type Instance struct {
	Name, Zone string
	ExternalIP string // "" means no external access config
	OSLogin    *bool
	// Shielded turns on secure boot, vTPM and integrity monitoring.
	Shielded bool
	// DefaultSA runs the instance as the project's default compute service
	// account; FullScope gives it the cloud-platform scope.
	DefaultSA, FullScope bool
}

// OrgPolicy is the effective policy of one constraint: Enforce for a
// boolean constraint, AllowAll, DenyAll or AllowedValues for a list
// constraint. The zero value is "no policy set".
type OrgPolicy struct {
	Enforce, AllowAll, DenyAll bool
	AllowedValues              []string
}

// LogMetric is a log-based metric.
type LogMetric struct {
	Name, Filter string
}

// CIS filters of the benchmark's log-based metrics, for the demo.
const (
	FilterProjectOwnership = `(protoPayload.serviceName="cloudresourcemanager.googleapis.com") AND (ProjectOwnership OR projectOwnerInvitee) OR (protoPayload.serviceData.policyDelta.bindingDeltas.action="REMOVE" AND protoPayload.serviceData.policyDelta.bindingDeltas.role="roles/owner") OR (protoPayload.serviceData.policyDelta.bindingDeltas.action="ADD" AND protoPayload.serviceData.policyDelta.bindingDeltas.role="roles/owner")`
	FilterAuditConfig      = `protoPayload.methodName="SetIamPolicy" AND protoPayload.serviceData.policyDelta.auditConfigDeltas:*`
	FilterCustomRole       = `resource.type="iam_role" AND (protoPayload.methodName="google.iam.admin.v1.CreateRole" OR protoPayload.methodName="google.iam.admin.v1.DeleteRole" OR protoPayload.methodName="google.iam.admin.v1.UpdateRole")`
	FilterFirewall         = `resource.type="gce_firewall_rule" AND (protoPayload.methodName:"compute.firewalls.patch" OR protoPayload.methodName:"compute.firewalls.insert" OR protoPayload.methodName:"compute.firewalls.delete")`
)

// serveDepth serves compute.instances.aggregatedList, Org Policy v2
// getEffectivePolicy and logging metrics.list; it reports whether it
// answered the request.
func (s *State) serveDepth(w http.ResponseWriter, r *http.Request, seg []string) bool {
	switch {
	case len(seg) == 6 && seg[0] == "compute" && seg[2] == "projects" && seg[4] == "aggregated" && seg[5] == "instances":
		pr := s.project(seg[3])
		if pr == nil {
			writeError(w, http.StatusNotFound, "notFound", "The resource 'projects/"+seg[3]+"' was not found")
			return true
		}
		scopes := make([]string, len(pr.Instances))
		items := make([]any, len(pr.Instances))
		for i, in := range pr.Instances {
			scopes[i], items[i] = "zones/"+in.Zone, instanceJSON(pr, in)
		}
		s.aggregated(w, r, pr, "instances", scopes, items)
	case len(seg) == 5 && seg[0] == "v2" && seg[1] == "projects" && seg[3] == "policies" && strings.HasSuffix(seg[4], ":getEffectivePolicy"):
		pr := s.project(seg[2])
		if pr == nil {
			writeError(w, http.StatusForbidden, "forbidden", "The caller does not have permission")
			return true
		}
		if pr.OrgPolicyDisabled {
			writeDisabled(w, pr, "orgpolicy.googleapis.com")
			return true
		}
		con := strings.TrimSuffix(seg[4], ":getEffectivePolicy")
		pol, ok := pr.OrgPolicies[con]
		if !ok {
			pol = s.OrgPolicies[con]
		}
		out := map[string]any{"name": "projects/" + strconv.FormatInt(pr.Number, 10) + "/policies/" + con}
		rule := map[string]any{}
		switch {
		case pol.AllowAll:
			rule["allowAll"] = true
		case pol.DenyAll:
			rule["denyAll"] = true
		case len(pol.AllowedValues) > 0:
			rule["values"] = map[string]any{"allowedValues": pol.AllowedValues}
		case pol.Enforce:
			rule["enforce"] = true
		}
		if len(rule) > 0 {
			out["spec"] = map[string]any{"etag": "CNSk7qoGEJDm5rMB", "updateTime": "2025-06-02T09:14:27.482938Z", "rules": []any{rule}}
		}
		writeJSON(w, out)
	case len(seg) == 4 && seg[0] == "v2" && seg[1] == "projects" && seg[3] == "metrics":
		pr := s.project(seg[2])
		if pr == nil {
			writeError(w, http.StatusForbidden, "forbidden", "The caller does not have permission")
			return true
		}
		if pr.LoggingDisabled {
			writeDisabled(w, pr, "logging.googleapis.com")
			return true
		}
		var items []any
		for _, m := range pr.LogMetrics {
			items = append(items, map[string]any{"name": m.Name, "filter": m.Filter, "version": "V2",
				"metricDescriptor": map[string]any{"type": "logging.googleapis.com/user/" + m.Name, "metricKind": "DELTA", "valueType": "INT64", "unit": "1"},
				"createTime":       "2025-03-04T10:11:12.123456789Z", "updateTime": "2025-03-04T10:11:12.123456789Z"})
		}
		s.list(w, r, "", "metrics", items)
	default:
		return false
	}
	return true
}

// projectMetadataJSON is the common instance metadata of pr.
func projectMetadataJSON(pr *Project) map[string]any {
	md := map[string]any{"kind": "compute#metadata", "fingerprint": "cHJvamVjdA=="}
	if pr.OSLogin {
		md["items"] = []any{map[string]any{"key": "enable-oslogin", "value": "TRUE"}}
	}
	return md
}

func instanceJSON(pr *Project, in Instance) map[string]any {
	base := "https://www.googleapis.com/compute/v1/projects/" + pr.ID
	region := in.Zone[:strings.LastIndex(in.Zone, "-")]
	ni := map[string]any{"kind": "compute#networkInterface", "name": "nic0", "network": base + "/global/networks/default",
		"subnetwork": base + "/regions/" + region + "/subnetworks/default", "networkIP": "10.156.0." + strconv.Itoa(2+len(in.Name)%200), "stackType": "IPV4_ONLY"}
	if in.ExternalIP != "" {
		ni["accessConfigs"] = []any{map[string]any{"kind": "compute#accessConfig", "type": "ONE_TO_ONE_NAT", "name": "External NAT", "natIP": in.ExternalIP, "networkTier": "PREMIUM"}}
	}
	md := map[string]any{"kind": "compute#metadata", "fingerprint": "aW5zdGFuY2U="}
	if in.OSLogin != nil {
		v := "FALSE"
		if *in.OSLogin {
			v = "TRUE"
		}
		md["items"] = []any{map[string]any{"key": "enable-oslogin", "value": v}}
	}
	sa := in.Name + "@" + pr.ID + ".iam.gserviceaccount.com"
	if in.DefaultSA {
		sa = strconv.FormatInt(pr.Number, 10) + "-compute@developer.gserviceaccount.com"
	}
	scopes := []string{"https://www.googleapis.com/auth/logging.write", "https://www.googleapis.com/auth/monitoring.write"}
	if in.FullScope {
		scopes = []string{"https://www.googleapis.com/auth/cloud-platform"}
	}
	return map[string]any{"kind": "compute#instance", "id": strconv.Itoa(len(in.Name) * 7919), "name": in.Name, "status": "RUNNING",
		"creationTimestamp": "2024-05-02T03:04:05.000-07:00", "zone": base + "/zones/" + in.Zone,
		"machineType": base + "/zones/" + in.Zone + "/machineTypes/e2-medium", "selfLink": base + "/zones/" + in.Zone + "/instances/" + in.Name,
		"networkInterfaces": []any{ni}, "metadata": md,
		"serviceAccounts":        []any{map[string]any{"email": sa, "scopes": scopes}},
		"shieldedInstanceConfig": map[string]any{"enableSecureBoot": in.Shielded, "enableVtpm": in.Shielded, "enableIntegrityMonitoring": in.Shielded}}
}

// alertConditions returns the conditions of an alerting policy watching
// log-based metrics.
func alertConditions(name string, metrics []string) []any {
	var out []any
	for i, m := range slices.Sorted(slices.Values(metrics)) {
		out = append(out, map[string]any{"name": name + "/conditions/" + strconv.Itoa(i+1), "displayName": m + " count above 0",
			"conditionThreshold": map[string]any{"filter": `resource.type="global" AND metric.type="logging.googleapis.com/user/` + m + `"`,
				"comparison": "COMPARISON_GT", "duration": "0s", "trigger": map[string]any{"count": 1}}})
	}
	return out
}
