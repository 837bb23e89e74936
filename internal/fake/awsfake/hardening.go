package awsfake

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Hardening holds an account's IAM Access Analyzer analyzers
// (REST-JSON), EFS file systems (REST-JSON), DynamoDB tables (JSON 1.0)
// and the access logging of its S3 buckets and load balancers.
type Hardening struct {
	Analyzers   []Analyzer
	FileSystems []FileSystem
	Tables      []Table
	// BucketLogging maps a bucket name to the target bucket of its server
	// access logs; a bucket without an entry does not log.
	BucketLogging map[string]string
	// LBAccessLogs maps a load balancer name to the S3 bucket of its
	// access logs; a load balancer without an entry does not log.
	LBAccessLogs map[string]string
	// GoneLoadBalancers names load balancers that are listed but deleted
	// before their attributes are read (LoadBalancerNotFound).
	GoneLoadBalancers []string
}

// An Analyzer is an IAM Access Analyzer analyzer.
type Analyzer struct {
	Name, Region string
	// Type is "ACCOUNT", "ORGANIZATION", "ACCOUNT_UNUSED_ACCESS", ...
	Type string
	// Status is "ACTIVE", "CREATING", "DISABLED" or "FAILED".
	Status string
}

// A FileSystem is an EFS file system.
type FileSystem struct {
	ID, Region string
	Encrypted  bool
	KMSKeyID   string
	// Backup is the status of its backup policy: "" (no policy, served
	// as PolicyNotFound), "ENABLED", "DISABLED", "ENABLING" or
	// "DISABLING".
	Backup string
	// Gone makes it listed but deleted before its backup policy is read
	// (FileSystemNotFound).
	Gone bool
}

// A Table is a DynamoDB table.
type Table struct {
	Name, Region string
	// SSEType is "" for the AWS owned key (no SSEDescription) or "KMS".
	SSEType string
	// KMSKey is the key ARN of KMS encryption.
	KMSKey string
	// PITR turns point-in-time recovery on.
	PITR bool
	// Gone makes it listed but deleted before it is described
	// (ResourceNotFoundException, TableNotFoundException).
	Gone bool
}

var hardeningCreated = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// accessAnalyzerOperation names an IAM Access Analyzer REST request.
func accessAnalyzerOperation(r *http.Request) string {
	path := strings.Trim(r.URL.Path, "/")
	switch {
	case r.Method == http.MethodGet && path == "analyzer":
		return "ListAnalyzers"
	case r.Method == http.MethodGet && strings.HasPrefix(path, "analyzer/"):
		return "GetAnalyzer"
	case r.Method == http.MethodPut:
		return "CreateAnalyzer"
	case r.Method == http.MethodDelete:
		return "DeleteAnalyzer"
	}
	return "Unknown" + r.Method
}

// efsOperation names an EFS REST request.
func efsOperation(r *http.Request) string {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if r.Method != http.MethodGet {
		return "Write" + r.Method
	}
	switch {
	case len(parts) == 2 && parts[1] == "file-systems":
		return "DescribeFileSystems"
	case len(parts) == 4 && parts[1] == "file-systems" && parts[3] == "backup-policy":
		return "DescribeBackupPolicy"
	}
	return "Unknown" + r.Method
}

func (s *State) serveAccessAnalyzer(w http.ResponseWriter, req *Request) bool {
	if req.Operation != "ListAnalyzers" {
		return false
	}
	q := req.HTTP.URL.Query()
	as := inRegion(s.Hardening.Analyzers, req.Region, func(a Analyzer) string { return a.Region })
	if t := q.Get("type"); t != "" {
		var keep []Analyzer
		for _, a := range as {
			if a.Type == t {
				keep = append(keep, a)
			}
		}
		as = keep
	}
	items, next := page(as, q.Get("nextToken"), s.PageSize)
	list := []map[string]any{}
	for _, a := range items {
		list = append(list, map[string]any{
			"arn":  "arn:aws:access-analyzer:" + a.Region + ":" + s.AccountID + ":analyzer/" + a.Name,
			"name": a.Name, "type": a.Type, "status": a.Status, "createdAt": hardeningCreated.Format(time.RFC3339),
			"lastResourceAnalyzed": "arn:aws:s3:::example-bucket", "lastResourceAnalyzedAt": hardeningCreated.Format(time.RFC3339),
			"tags": map[string]string{},
		})
	}
	out := map[string]any{"analyzers": list}
	if next != "" {
		out["nextToken"] = next
	}
	writeJSON(w, "application/json", out)
	return true
}

func (s *State) serveEFS(w http.ResponseWriter, req *Request) bool {
	fss := inRegion(s.Hardening.FileSystems, req.Region, func(f FileSystem) string { return f.Region })
	switch req.Operation {
	case "DescribeFileSystems":
		q := req.HTTP.URL.Query()
		items, next := page(fss, q.Get("Marker"), s.PageSize)
		list := []map[string]any{}
		for _, f := range items {
			m := map[string]any{
				"OwnerId": s.AccountID, "CreationToken": "console-" + f.ID, "FileSystemId": f.ID,
				"FileSystemArn": "arn:aws:elasticfilesystem:" + f.Region + ":" + s.AccountID + ":file-system/" + f.ID,
				"CreationTime":  float64(hardeningCreated.Unix()), "LifeCycleState": "available", "Name": f.ID,
				"NumberOfMountTargets": 2, "SizeInBytes": map[string]any{"Value": 6144},
				"PerformanceMode": "generalPurpose", "Encrypted": f.Encrypted, "ThroughputMode": "bursting", "Tags": []any{},
			}
			if f.KMSKeyID != "" {
				m["KmsKeyId"] = f.KMSKeyID
			}
			list = append(list, m)
		}
		out := map[string]any{"FileSystems": list}
		if m := q.Get("Marker"); m != "" {
			out["Marker"] = m
		}
		if next != "" {
			out["NextMarker"] = next
		}
		writeJSON(w, "application/json", out)
	case "DescribeBackupPolicy":
		parts := strings.Split(strings.Trim(req.HTTP.URL.Path, "/"), "/")
		id, _ := url.PathUnescape(parts[2])
		for _, f := range fss {
			if f.ID != id || f.Gone {
				continue
			}
			if f.Backup == "" {
				writeError(w, req, http.StatusNotFound, "PolicyNotFound", "No backup policy found for file system "+id)
				return true
			}
			writeJSON(w, "application/json", map[string]any{"BackupPolicy": map[string]any{"Status": f.Backup}})
			return true
		}
		writeError(w, req, http.StatusNotFound, "FileSystemNotFound", "File system '"+id+"' does not exist.")
	default:
		return false
	}
	return true
}

const json10 = "application/x-amz-json-1.0"

func (s *State) serveDynamoDB(w http.ResponseWriter, req *Request) bool {
	ts := inRegion(s.Hardening.Tables, req.Region, func(t Table) string { return t.Region })
	find := func() *Table {
		name := str(req.JSON, "TableName")
		for i := range ts {
			if !ts[i].Gone && (ts[i].Name == name || s.tableARN(ts[i]) == name) {
				return &ts[i]
			}
		}
		return nil
	}
	switch req.Operation {
	case "ListTables":
		start := 0
		if after := str(req.JSON, "ExclusiveStartTableName"); after != "" {
			for i, t := range ts {
				if t.Name == after {
					start = i + 1
				}
			}
		}
		size := s.PageSize
		if size <= 0 || size > 100 {
			size = 100
		}
		end := min(start+size, len(ts))
		names := []string{}
		for _, t := range ts[start:end] {
			names = append(names, t.Name)
		}
		out := map[string]any{"TableNames": names}
		if end < len(ts) {
			out["LastEvaluatedTableName"] = ts[end-1].Name
		}
		writeJSON(w, json10, out)
	case "DescribeTable":
		t := find()
		if t == nil {
			writeError(w, req, http.StatusBadRequest, "ResourceNotFoundException", "Requested resource not found: Table: "+str(req.JSON, "TableName")+" not found")
			return true
		}
		table := map[string]any{
			"TableName": t.Name, "TableArn": s.tableARN(*t), "TableId": "4e6f1a2b-0000-4000-8000-" + strings.Repeat("0", 12),
			"TableStatus": "ACTIVE", "CreationDateTime": float64(hardeningCreated.Unix()), "ItemCount": 0, "TableSizeBytes": 0,
			"KeySchema":            []any{map[string]any{"AttributeName": "pk", "KeyType": "HASH"}},
			"AttributeDefinitions": []any{map[string]any{"AttributeName": "pk", "AttributeType": "S"}},
			"BillingModeSummary":   map[string]any{"BillingMode": "PAY_PER_REQUEST"},
		}
		if t.SSEType != "" {
			table["SSEDescription"] = map[string]any{"Status": "ENABLED", "SSEType": t.SSEType, "KMSMasterKeyArn": t.KMSKey}
		}
		writeJSON(w, json10, map[string]any{"Table": table})
	case "DescribeContinuousBackups":
		t := find()
		if t == nil {
			writeError(w, req, http.StatusBadRequest, "TableNotFoundException", "Table not found: "+str(req.JSON, "TableName"))
			return true
		}
		pitr := map[string]any{"PointInTimeRecoveryStatus": "DISABLED"}
		if t.PITR {
			pitr = map[string]any{"PointInTimeRecoveryStatus": "ENABLED", "RecoveryPeriodInDays": 35,
				"EarliestRestorableDateTime": float64(hardeningCreated.Unix()), "LatestRestorableDateTime": float64(hardeningCreated.Unix())}
		}
		writeJSON(w, json10, map[string]any{"ContinuousBackupsDescription": map[string]any{
			"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": pitr}})
	default:
		return false
	}
	return true
}

func (s *State) tableARN(t Table) string {
	return "arn:aws:dynamodb:" + t.Region + ":" + s.AccountID + ":table/" + t.Name
}

// serveS3Logging serves GetBucketLogging of an existing bucket.
func (s *State) serveS3Logging(w http.ResponseWriter, req *Request) bool {
	if req.Operation != "GetBucketLogging" {
		return false
	}
	var kids []Node
	if target, ok := s.Hardening.BucketLogging[req.Bucket]; ok {
		kids = append(kids, E("LoggingEnabled", T("TargetBucket", target), T("TargetPrefix", req.Bucket+"/")))
	}
	writeXML(w, http.StatusOK, E("BucketLoggingStatus "+s3ns, kids...))
	return true
}

// serveELBv2Attributes serves DescribeLoadBalancerAttributes.
func (s *State) serveELBv2Attributes(w http.ResponseWriter, req *Request) bool {
	if req.Operation != "DescribeLoadBalancerAttributes" {
		return false
	}
	arn := req.Form.Get("LoadBalancerArn")
	for _, lb := range inRegion(s.LoadBalancers, req.Region, func(l LoadBalancer) string { return l.Region }) {
		if s.lbARN(lb) != arn || slices.Contains(s.Hardening.GoneLoadBalancers, lb.Name) {
			continue
		}
		bucket, on := s.Hardening.LBAccessLogs[lb.Name]
		attr := func(k, v string) Node { return E("member", T("Key", k), T("Value", v)) }
		enabled := "false"
		if on {
			enabled = "true"
		}
		attrs := []Node{attr("deletion_protection.enabled", "false")}
		if lb.Type != "gateway" {
			attrs = append(attrs, attr("access_logs.s3.enabled", enabled), attr("access_logs.s3.bucket", bucket), attr("access_logs.s3.prefix", ""))
		}
		if lb.Type == "application" {
			attrs = append(attrs, attr("idle_timeout.timeout_seconds", "60"), attr("routing.http2.enabled", "true"))
		}
		queryResponse(w, req.Operation, elbNS, E("Attributes", attrs...))
		return true
	}
	writeError(w, req, http.StatusBadRequest, "LoadBalancerNotFound", "One or more load balancers not found")
	return true
}
