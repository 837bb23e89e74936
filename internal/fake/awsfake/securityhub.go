package awsfake

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// A Hub is an account's Security Hub subscription in one region.
type Hub struct {
	Region       string
	SubscribedAt time.Time
}

// A HubFinding is a Security Hub finding in the AWS Security Finding
// Format.
type HubFinding struct {
	ID, Region string
	// Account is the account the finding belongs to; "" means the State's
	// own account. An administrator account also sees its members'.
	Account string
	// Generator is the GeneratorId, e.g. "security-control/RDS.2".
	Generator string
	Title     string
	// Severity is the label: "INFORMATIONAL", "LOW", "MEDIUM", "HIGH" or
	// "CRITICAL".
	Severity string
	// Workflow is the workflow status: "NEW" (the default), "NOTIFIED",
	// "SUPPRESSED" or "RESOLVED".
	Workflow string
	// Archived makes the record state ARCHIVED instead of ACTIVE.
	Archived bool
	// ResourceType and ResourceID name the affected resource, e.g.
	// "AwsRdsDbInstance" and its ARN.
	ResourceType, ResourceID string
	Created, Updated         time.Time
}

// securityHubMaxResults is the largest MaxResults GetFindings accepts.
const securityHubMaxResults = 100

// securityHubOperation names a Security Hub request from its method and
// path (REST-JSON), or "" for requests the fake does not know.
func securityHubOperation(r *http.Request) string {
	switch path := strings.TrimSuffix(r.URL.Path, "/"); {
	case r.Method == http.MethodGet && path == "/accounts":
		return "DescribeHub"
	case r.Method == http.MethodPost && path == "/findings":
		return "GetFindings"
	}
	return ""
}

// writeSecurityHubError writes a Security Hub error: the code in the
// X-Amzn-ErrorType header and a JSON body with Code and Message.
func writeSecurityHubError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Code": code, "Message": msg})
}

// serveSecurityHub serves DescribeHub and GetFindings. Without a hub in
// the request's region both fail as AWS does: 401 InvalidAccessException
// "Account ... is not subscribed to AWS Security Hub". GetFindings honours
// EQUALS string filters on AwsAccountId, Region, RecordState,
// WorkflowStatus and SeverityLabel (values of one field are ORed, fields
// ANDed); any other filter matches nothing.
func (s *State) serveSecurityHub(w http.ResponseWriter, req *Request) bool {
	if req.Operation != "DescribeHub" && req.Operation != "GetFindings" {
		return false
	}
	var hub *Hub
	for i, h := range s.Monitoring.Hubs {
		if h.Region == req.Region {
			hub = &s.Monitoring.Hubs[i]
		}
	}
	if hub == nil {
		writeSecurityHubError(w, http.StatusUnauthorized, "InvalidAccessException", "Account "+s.AccountID+" is not subscribed to AWS Security Hub")
		return true
	}
	hubARN := "arn:aws:securityhub:" + req.Region + ":" + s.AccountID + ":hub/default"
	if req.Operation == "DescribeHub" {
		writeJSON(w, "application/json", map[string]any{"HubArn": hubARN, "SubscribedAt": hub.SubscribedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
			"AutoEnableControls": true, "ControlFindingGenerator": "SECURITY_CONTROL"})
		return true
	}
	size := securityHubMaxResults
	if n, ok := req.JSON["MaxResults"].(float64); ok {
		if n < 1 || n > securityHubMaxResults {
			writeSecurityHubError(w, http.StatusBadRequest, "InvalidInputException", "MaxResults must be between 1 and 100")
			return true
		}
		size = int(n)
	}
	if s.PageSize > 0 {
		size = min(size, s.PageSize)
	}
	filters, _ := req.JSON["Filters"].(map[string]any)
	var match []HubFinding
	for _, f := range s.Monitoring.HubFindings {
		if hubFindingMatches(s.hubFindingFields(f), filters) {
			match = append(match, f)
		}
	}
	items, next := page(match, str(req.JSON, "NextToken"), size)
	list := []map[string]any{}
	for _, f := range items {
		fields := s.hubFindingFields(f)
		ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
		list = append(list, map[string]any{
			"SchemaVersion": "2018-10-08", "Id": "arn:aws:securityhub:" + f.Region + ":" + fields["AwsAccountId"] + ":" + f.Generator + "/finding/" + f.ID,
			"ProductArn": "arn:aws:securityhub:" + f.Region + "::product/aws/securityhub", "ProductName": "Security Hub", "CompanyName": "AWS", "Region": f.Region,
			"GeneratorId": f.Generator, "AwsAccountId": fields["AwsAccountId"],
			"Types":           []string{"Software and Configuration Checks/Industry and Regulatory Standards"},
			"FirstObservedAt": ts(f.Created), "LastObservedAt": ts(f.Updated), "CreatedAt": ts(f.Created), "UpdatedAt": ts(f.Updated),
			"Severity": map[string]any{"Label": f.Severity, "Original": f.Severity}, "Title": f.Title, "Description": f.Title,
			"Resources":  []map[string]any{{"Type": f.ResourceType, "Id": f.ResourceID, "Partition": "aws", "Region": f.Region}},
			"Compliance": map[string]any{"Status": "FAILED"}, "WorkflowState": fields["WorkflowStatus"],
			"Workflow": map[string]any{"Status": fields["WorkflowStatus"]}, "RecordState": fields["RecordState"],
			"ProcessedAt": ts(f.Updated),
		})
	}
	out := map[string]any{"Findings": list}
	if next != "" {
		out["NextToken"] = next
	}
	writeJSON(w, "application/json", out)
	return true
}

// hubFindingFields returns the filterable string fields of f.
func (s *State) hubFindingFields(f HubFinding) map[string]string {
	account, workflow, record := f.Account, f.Workflow, "ACTIVE"
	if account == "" {
		account = s.AccountID
	}
	if workflow == "" {
		workflow = "NEW"
	}
	if f.Archived {
		record = "ARCHIVED"
	}
	return map[string]string{"AwsAccountId": account, "Region": f.Region, "RecordState": record,
		"WorkflowStatus": workflow, "SeverityLabel": f.Severity}
}

// hubFindingMatches applies GetFindings string filters to a finding's
// fields.
func hubFindingMatches(fields map[string]string, filters map[string]any) bool {
	for name, raw := range filters {
		have, known := fields[name]
		conds, _ := raw.([]any)
		if !known || len(conds) == 0 {
			return false
		}
		ok := false
		for _, c := range conds {
			cond, _ := c.(map[string]any)
			if cond["Comparison"] != "EQUALS" {
				return false
			}
			ok = ok || cond["Value"] == have
		}
		if !ok {
			return false
		}
	}
	return true
}
