package awsfake

import (
	"net/http"
	"strings"
)

// guardDutyFindingsOperation names a GuardDuty findings request, or ""
// for other requests.
func guardDutyFindingsOperation(r *http.Request) string {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "detector" && parts[2] == "findings":
		return "ListFindings"
	case r.Method == http.MethodPost && len(parts) == 4 && parts[0] == "detector" && parts[2] == "findings" && parts[3] == "get":
		return "GetFindings"
	}
	return ""
}

// serveGuardDutyFindings serves ListFindings (honouring the
// service.archived equals and severity greaterThanOrEqual criteria) and
// GetFindings for the detector of the request's region.
func (s *State) serveGuardDutyFindings(w http.ResponseWriter, req *Request) bool {
	if req.Operation != "ListFindings" && req.Operation != "GetFindings" {
		return false
	}
	parts := strings.Split(strings.Trim(req.HTTP.URL.Path, "/"), "/")
	detector := parts[1]
	if !s.hasDetector(detector, req.Region) {
		writeError(w, req, http.StatusBadRequest, "BadRequestException", "The request is rejected because the input detectorId is not owned by the current account.")
		return true
	}
	fs := inRegion(s.Protection.Findings, req.Region, func(f Finding) string { return f.Region })
	if req.Operation == "ListFindings" {
		crit, _ := req.JSON["findingCriteria"].(map[string]any)
		conds, _ := crit["criterion"].(map[string]any)
		var match []Finding
		for _, f := range fs {
			if findingMatches(f, conds) {
				match = append(match, f)
			}
		}
		items, next := page(match, str(req.JSON, "nextToken"), s.PageSize)
		ids := []string{}
		for _, f := range items {
			ids = append(ids, f.ID)
		}
		out := map[string]any{"findingIds": ids}
		if next != "" {
			out["nextToken"] = next
		}
		writeJSON(w, "application/json", out)
		return true
	}
	want := map[string]bool{}
	raw, _ := req.JSON["findingIds"].([]any)
	if len(raw) > 50 {
		writeError(w, req, http.StatusBadRequest, "BadRequestException", "findingIds has more than 50 items")
		return true
	}
	for _, id := range raw {
		if s, ok := id.(string); ok {
			want[s] = true
		}
	}
	out := []map[string]any{}
	for _, f := range fs {
		if want[f.ID] {
			out = append(out, map[string]any{
				"accountId": s.AccountID, "region": f.Region, "id": f.ID, "type": f.Type, "severity": f.Severity,
				"arn":       "arn:aws:guardduty:" + f.Region + ":" + s.AccountID + ":detector/" + detector + "/finding/" + f.ID,
				"createdAt": f.Created.UTC().Format("2006-01-02T15:04:05.000Z"), "updatedAt": f.Updated.UTC().Format("2006-01-02T15:04:05.000Z"),
				"schemaVersion": "2.0", "partition": "aws", "title": f.Type, "description": f.Type,
				"resource": map[string]any{"resourceType": "Instance"},
				"service":  map[string]any{"serviceName": "guardduty", "detectorId": detector, "archived": f.Archived, "count": 1},
			})
		}
	}
	writeJSON(w, "application/json", map[string]any{"findings": out})
	return true
}

func (s *State) hasDetector(id, region string) bool {
	for _, d := range s.Detectors {
		if d.ID == id && d.Region == region {
			return true
		}
	}
	return false
}

// findingMatches applies the service.archived and severity criteria; other
// criteria are not supported and match nothing.
func findingMatches(f Finding, conds map[string]any) bool {
	for field, c := range conds {
		cond, _ := c.(map[string]any)
		switch field {
		case "service.archived":
			eq, _ := cond["equals"].([]any)
			if len(eq) != 1 || eq[0] != boolText(f.Archived) {
				return false
			}
		case "severity":
			gte, ok := cond["greaterThanOrEqual"].(float64)
			if !ok || f.Severity < gte {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
