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
	// Standards are the hub's enabled security standards.
	Standards []HubStandard
}

// A HubStandard is a security standard enabled on a hub.
type HubStandard struct {
	// ID is the standard's path and version as it appears in its ARN, e.g.
	// "aws-foundational-security-best-practices/v/1.0.0". CIS 1.2.0 is a
	// ruleset ("cis-aws-foundations-benchmark/v/1.2.0" with Ruleset true).
	ID      string
	Ruleset bool
	// Status is the StandardsStatus: "READY" (the default), "PENDING",
	// "FAILED", "DELETING" or "INCOMPLETE".
	Status string
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
	case r.Method == http.MethodPost && path == "/standards/get":
		return "GetEnabledStandards"
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

// serveSecurityHub serves DescribeHub, GetEnabledStandards and
// GetFindings. Without a hub in the request's region all fail as AWS does: 401 InvalidAccessException
// "Account ... is not subscribed to AWS Security Hub". GetFindings honours
// EQUALS string filters on AwsAccountId, Region, RecordState,
// WorkflowStatus and SeverityLabel (values of one field are ORed, fields
// ANDed); any other filter matches nothing.
func (s *State) serveSecurityHub(w http.ResponseWriter, req *Request) bool {
	if req.Operation != "DescribeHub" && req.Operation != "GetFindings" && req.Operation != "GetEnabledStandards" {
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
	size, ok := s.securityHubPageSize(w, req)
	if !ok {
		return true
	}
	if req.Operation == "GetEnabledStandards" {
		s.serveEnabledStandards(w, req, hub, size)
		return true
	}
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

// securityHubPageSize returns the page size of a Security Hub listing from
// its MaxResults (1 to 100) and the State's PageSize, or writes an
// InvalidInputException and returns false.
func (s *State) securityHubPageSize(w http.ResponseWriter, req *Request) (int, bool) {
	size := securityHubMaxResults
	if n, ok := req.JSON["MaxResults"].(float64); ok {
		if n < 1 || n > securityHubMaxResults {
			writeSecurityHubError(w, http.StatusBadRequest, "InvalidInputException", "MaxResults must be between 1 and 100")
			return 0, false
		}
		size = int(n)
	}
	if s.PageSize > 0 {
		size = min(size, s.PageSize)
	}
	return size, true
}

// serveEnabledStandards answers GetEnabledStandards with the hub's
// standards subscriptions, size a page.
func (s *State) serveEnabledStandards(w http.ResponseWriter, req *Request, hub *Hub, size int) {
	items, next := page(hub.Standards, str(req.JSON, "NextToken"), size)
	list := []map[string]any{}
	for _, std := range items {
		arn := "arn:aws:securityhub:" + req.Region + "::standards/" + std.ID
		if std.Ruleset {
			arn = "arn:aws:securityhub:::ruleset/" + std.ID
		}
		status := std.Status
		if status == "" {
			status = "READY"
		}
		sub := map[string]any{
			"StandardsSubscriptionArn": "arn:aws:securityhub:" + req.Region + ":" + s.AccountID + ":subscription/" + std.ID,
			"StandardsArn":             arn, "StandardsInput": map[string]string{}, "StandardsStatus": status,
			"StandardsControlsUpdatable": "READY_FOR_UPDATES",
		}
		if status == "INCOMPLETE" || status == "FAILED" {
			sub["StandardsStatusReason"] = map[string]string{"StatusReasonCode": "NO_AVAILABLE_CONFIGURATION_RECORDER"}
		}
		list = append(list, sub)
	}
	out := map[string]any{"StandardsSubscriptions": list}
	if next != "" {
		out["NextToken"] = next
	}
	writeJSON(w, "application/json", out)
}
