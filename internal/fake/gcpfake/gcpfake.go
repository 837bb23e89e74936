// Package gcpfake serves small Google Cloud projects over the REST wire
// format of the Cloud Storage, Cloud SQL Admin, Cloud KMS, Resource
// Manager (v1 and v3), IAM and Compute Engine APIs, for the demo and for
// tests. It answers every read the gcp collectors make (all APIs under one
// base URL, as with the gcp source's endpoint setting), pages lists with
// nextPageToken, and refuses any other request.
package gcpfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attestdev/attest/internal/fake/fakeapi"
)

// State is the projects the fake serves.
type State struct {
	// Parent is the organisation ("organizations/123") all Projects and
	// Folders belong to.
	Parent string
	// Folders are the folders under Parent, nested through their parents.
	Folders  []Folder
	Projects []*Project
	// PageSize caps list pages, so tests can force paging; 0 means no cap.
	PageSize int
	// OrgPolicies are the effective policies the organisation sets, by
	// constraint (e.g. "iam.disableServiceAccountKeyCreation").
	OrgPolicies map[string]OrgPolicy
	// Refusals records the requests the fake does not serve; set its
	// OnUnexpected to be told (tests pass t.Errorf).
	fakeapi.Refusals
}

// Project is a Google Cloud project.
type Project struct {
	ID     string
	Number int64
	// Folder is the project's parent folder ("folders/123"); "" means
	// directly under State.Parent.
	Folder string
	// SQLDisabled answers Cloud SQL Admin calls with SERVICE_DISABLED.
	SQLDisabled     bool
	Buckets         []Bucket
	SQL             []SQLInstance
	KeyRings        []KeyRing
	Bindings        []Binding
	DataAccessLogs  bool
	ServiceAccounts []ServiceAccount
	Firewalls       []Firewall
	// Subnets and Secrets are served by network.go.
	Subnets       []Subnet
	Secrets       []Secret
	Backends      []BackendService
	AlertPolicies []AlertPolicy
	// Networks and SharedVPCHost are served by links.go.
	Networks []Network
	// SharedVPCHost is the Shared VPC host project this project is a
	// service project of; a project named here by another is a host.
	SharedVPCHost string
	// Instances, OSLogin (project metadata enable-oslogin), OrgPolicies
	// (overriding State.OrgPolicies, by constraint) and LogMetrics are
	// served by depth.go; the Disabled flags answer that API with
	// SERVICE_DISABLED.
	Instances          []Instance
	OSLogin            bool
	OrgPolicies        map[string]OrgPolicy
	LogMetrics         []LogMetric
	OrgPolicyDisabled  bool
	LoggingDisabled    bool
	MonitoringDisabled bool
}

// Bucket is a Cloud Storage bucket.
type Bucket struct {
	Name, Location, LocationType string
	KMSKey                       string
	Versioning, Uniform          bool
	PublicAccessPrevention       string // enforced or inherited
	RetentionDays                int
	RetentionLocked              bool
}

// SQLInstance is a Cloud SQL instance.
type SQLInstance struct {
	Name, Version, Region     string
	Backups, PITR, RequireSSL bool
	PublicIP, OpenToAll, HA   bool
	KMSKey                    string
}

// KeyRing is a Cloud KMS key ring with its keys.
type KeyRing struct {
	Location, Name string
	Keys           []Key
}

// Key is a Cloud KMS key; RotationDays 0 means no automatic rotation.
type Key struct {
	Name, Purpose, Protection string
	RotationDays              int
}

// Binding is an IAM policy binding.
type Binding struct {
	Role    string
	Members []string
}

// ServiceAccount is a service account with its user-managed keys.
type ServiceAccount struct {
	Email string
	Keys  []SAKey
}

// SAKey is a user-managed service account key.
type SAKey struct {
	ID      string
	Created time.Time
}

// Firewall is a VPC firewall rule allowing TCP ports.
type Firewall struct {
	Name, Network, Direction string
	Disabled                 bool
	SourceRanges, Ports      []string
}

// NewHandler returns an http.Handler serving s. The state must not be
// changed while it serves.
func NewHandler(s *State) http.Handler { return http.HandlerFunc(s.serve) }

func (s *State) project(id string) *Project {
	i := slices.IndexFunc(s.Projects, func(p *Project) bool { return p.ID == id })
	if i < 0 {
		return nil
	}
	return s.Projects[i]
}

func (s *State) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	seg := strings.Split(strings.Trim(p, "/"), "/")
	q := r.URL.Query()
	base := "http://" + r.Host
	// POST /v1/projects/{p}:getAncestry reads, like getIamPolicy.
	if r.Method == http.MethodPost && len(seg) == 3 && seg[0] == "v1" && seg[1] == "projects" && strings.HasSuffix(seg[2], ":getAncestry") {
		s.ancestry(w, strings.TrimSuffix(seg[2], ":getAncestry"))
		return
	}
	// POST /v3/projects/{p}:getIamPolicy is the other read that is a POST.
	if r.Method == http.MethodPost && len(seg) == 3 && seg[0] == "v3" && seg[1] == "projects" && strings.HasSuffix(seg[2], ":getIamPolicy") {
		pr := s.project(strings.TrimSuffix(seg[2], ":getIamPolicy"))
		if pr == nil {
			writeError(w, http.StatusForbidden, "forbidden", "The caller does not have permission")
			return
		}
		s.iamPolicy(w, pr)
		return
	}
	if r.Method != http.MethodGet {
		s.Refuse(w, r, "gcpfake")
		return
	}
	switch {
	case p == "/storage/v1/b":
		pr := s.project(q.Get("project"))
		if pr == nil {
			writeError(w, http.StatusNotFound, "notFound", "The requested project was not found.")
			return
		}
		var items []any
		for _, b := range pr.Buckets {
			items = append(items, bucketJSON(base, pr, b))
		}
		s.list(w, r, "storage#buckets", "items", items)
	case p == "/v3/projects" || p == "/v3/folders":
		var items []any
		parent := q.Get("parent")
		if seg[1] == "projects" {
			for _, pr := range s.Projects {
				if s.parentOf(pr) == parent {
					items = append(items, map[string]any{"name": fmt.Sprintf("projects/%d", pr.Number), "parent": parent,
						"projectId": pr.ID, "state": "ACTIVE", "displayName": pr.ID})
				}
			}
		} else {
			for _, f := range s.Folders {
				if s.folderParent(f) == parent {
					items = append(items, map[string]any{"name": f.Name, "parent": parent, "displayName": f.DisplayName, "state": "ACTIVE"})
				}
			}
		}
		s.list(w, r, "", seg[1], items)
	case len(seg) >= 4 && seg[0] == "compute" && seg[2] == "projects" && linkPath(seg[4:]):
		s.serveLinks(w, r, seg[3], seg[4:])
	case len(seg) >= 4 && seg[0] == "v1" && seg[1] == "projects":
		pr := s.project(seg[2])
		if pr == nil {
			writeError(w, http.StatusForbidden, "forbidden", "The caller does not have permission")
			return
		}
		s.serveV1(w, r, pr, seg[3:])
	case len(seg) == 6 && seg[0] == "compute" && seg[2] == "projects" && seg[4] == "aggregated" && seg[5] == "subnetworks":
		pr := s.project(seg[3])
		if pr == nil {
			writeError(w, http.StatusNotFound, "notFound", "The resource 'projects/"+seg[3]+"' was not found")
			return
		}
		s.subnets(w, r, pr)
	case len(seg) == 6 && seg[0] == "compute" && seg[2] == "projects" && seg[4] == "aggregated" && seg[5] == "backendServices":
		pr := s.project(seg[3])
		if pr == nil {
			writeError(w, http.StatusNotFound, "notFound", "The resource 'projects/"+seg[3]+"' was not found")
			return
		}
		s.backends(w, r, pr)
	case len(seg) == 4 && seg[0] == "v3" && seg[1] == "projects" && seg[3] == "alertPolicies":
		pr := s.project(seg[2])
		if pr == nil {
			writeError(w, http.StatusForbidden, "forbidden", "The caller does not have permission")
			return
		}
		if pr.MonitoringDisabled {
			writeDisabled(w, pr, "monitoring.googleapis.com")
			return
		}
		var items []any
		for _, a := range pr.AlertPolicies {
			items = append(items, alertPolicyJSON(pr, a))
		}
		s.list(w, r, "", "alertPolicies", items)
	case len(seg) == 6 && seg[0] == "compute" && seg[2] == "projects" && seg[4] == "global" && seg[5] == "firewalls":
		pr := s.project(seg[3])
		if pr == nil {
			writeError(w, http.StatusNotFound, "notFound", "The resource 'projects/"+seg[3]+"' was not found")
			return
		}
		var items []any
		for _, f := range pr.Firewalls {
			items = append(items, firewallJSON(pr, f))
		}
		s.list(w, r, "compute#firewallList", "items", items)
	default:
		if !s.serveDepth(w, r, seg) {
			s.Refuse(w, r, "gcpfake")
		}
	}
}

func (s *State) serveV1(w http.ResponseWriter, r *http.Request, pr *Project, seg []string) {
	switch {
	case len(seg) == 1 && seg[0] == "instances":
		if pr.SQLDisabled {
			writeDisabled(w, pr, "sqladmin.googleapis.com")
			return
		}
		var items []any
		for _, in := range pr.SQL {
			items = append(items, sqlJSON(pr, in))
		}
		s.list(w, r, "sql#instancesList", "items", items)
	case len(seg) == 1 && seg[0] == "secrets":
		var items []any
		for _, sec := range pr.Secrets {
			items = append(items, secretJSON(pr, sec))
		}
		s.list(w, r, "", "secrets", items)
	case len(seg) == 1 && seg[0] == "locations":
		var locs []string
		for _, kr := range pr.KeyRings {
			locs = append(locs, kr.Location)
		}
		locs = append(locs, "global", "europe-west1")
		slices.Sort(locs)
		var items []any
		for _, l := range slices.Compact(locs) {
			items = append(items, map[string]any{"name": "projects/" + pr.ID + "/locations/" + l, "locationId": l, "displayName": l})
		}
		s.list(w, r, "", "locations", items)
	case len(seg) == 3 && seg[0] == "locations" && seg[2] == "keyRings":
		var items []any
		for _, kr := range pr.KeyRings {
			if kr.Location == seg[1] {
				items = append(items, map[string]any{"name": ringName(pr, kr), "createTime": "2024-01-01T00:00:00.000000Z"})
			}
		}
		s.list(w, r, "", "keyRings", items)
	case len(seg) == 5 && seg[0] == "locations" && seg[2] == "keyRings" && seg[4] == "cryptoKeys":
		i := slices.IndexFunc(pr.KeyRings, func(kr KeyRing) bool { return kr.Location == seg[1] && kr.Name == seg[3] })
		if i < 0 {
			writeError(w, http.StatusNotFound, "notFound", "KeyRing not found.")
			return
		}
		kr := pr.KeyRings[i]
		var items []any
		for _, k := range kr.Keys {
			items = append(items, keyJSON(pr, kr, k))
		}
		s.list(w, r, "", "cryptoKeys", items)
	case len(seg) == 1 && seg[0] == "serviceAccounts":
		var items []any
		for _, sa := range pr.ServiceAccounts {
			items = append(items, map[string]any{"name": "projects/" + pr.ID + "/serviceAccounts/" + sa.Email, "projectId": pr.ID,
				"uniqueId": "1000" + strconv.Itoa(len(sa.Email)), "email": sa.Email, "displayName": sa.Email, "oauth2ClientId": "1000"})
		}
		s.list(w, r, "", "accounts", items)
	case len(seg) == 3 && seg[0] == "serviceAccounts" && seg[2] == "keys" && r.URL.Query().Get("keyTypes") == "USER_MANAGED":
		i := slices.IndexFunc(pr.ServiceAccounts, func(sa ServiceAccount) bool { return sa.Email == seg[1] })
		if i < 0 {
			writeError(w, http.StatusNotFound, "notFound", "Service account not found.")
			return
		}
		sa := pr.ServiceAccounts[i]
		keys := []any{}
		for _, k := range sa.Keys {
			keys = append(keys, map[string]any{
				"name": "projects/" + pr.ID + "/serviceAccounts/" + sa.Email + "/keys/" + k.ID, "validAfterTime": k.Created.UTC().Format(time.RFC3339),
				"validBeforeTime": "9999-12-31T23:59:59Z", "keyAlgorithm": "KEY_ALG_RSA_2048", "keyOrigin": "GOOGLE_PROVIDED", "keyType": "USER_MANAGED",
			})
		}
		writeJSON(w, map[string]any{"keys": keys})
	default:
		s.Refuse(w, r, "gcpfake")
	}
}

// list writes one page of items under key, with a nextPageToken when more
// remain.
func (s *State) list(w http.ResponseWriter, r *http.Request, kind, key string, items []any) {
	start := 0
	if tok := r.URL.Query().Get("pageToken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 || n > len(items) {
			writeError(w, http.StatusBadRequest, "invalid", "Invalid page token.")
			return
		}
		start = n
	}
	end := len(items)
	if s.PageSize > 0 {
		end = min(start+s.PageSize, len(items))
	}
	out := map[string]any{}
	if kind != "" {
		out["kind"] = kind
	}
	if end > start {
		out[key] = items[start:end]
	}
	if end < len(items) {
		out["nextPageToken"] = strconv.Itoa(end)
	}
	writeJSON(w, out)
}

func (s *State) iamPolicy(w http.ResponseWriter, pr *Project) {
	var bs []any
	for _, b := range pr.Bindings {
		bs = append(bs, map[string]any{"role": b.Role, "members": b.Members})
	}
	out := map[string]any{"version": 1, "etag": "BwWKmjvelug=", "bindings": bs}
	if pr.DataAccessLogs {
		out["auditConfigs"] = []any{map[string]any{"service": "allServices", "auditLogConfigs": []any{
			map[string]any{"logType": "ADMIN_READ"}, map[string]any{"logType": "DATA_READ"}, map[string]any{"logType": "DATA_WRITE"},
		}}}
	}
	writeJSON(w, out)
}

func bucketJSON(base string, pr *Project, b Bucket) map[string]any {
	out := map[string]any{
		"kind": "storage#bucket", "selfLink": base + "/storage/v1/b/" + b.Name, "id": b.Name, "name": b.Name,
		"projectNumber": strconv.FormatInt(pr.Number, 10), "metageneration": "1", "location": b.Location, "locationType": b.LocationType,
		"storageClass": "STANDARD", "etag": "CAE=", "timeCreated": "2024-01-01T00:00:00.000Z", "updated": "2024-01-01T00:00:00.000Z",
		"versioning": map[string]any{"enabled": b.Versioning},
		"iamConfiguration": map[string]any{
			"bucketPolicyOnly":         map[string]any{"enabled": b.Uniform},
			"uniformBucketLevelAccess": map[string]any{"enabled": b.Uniform},
			"publicAccessPrevention":   b.PublicAccessPrevention,
		},
		"softDeletePolicy": map[string]any{"retentionDurationSeconds": "604800", "effectiveTime": "2024-03-01T08:00:00.000Z"},
	}
	if b.KMSKey != "" {
		out["encryption"] = map[string]any{"defaultKmsKeyName": b.KMSKey}
	}
	if b.RetentionDays > 0 {
		out["retentionPolicy"] = map[string]any{"retentionPeriod": strconv.Itoa(b.RetentionDays * 86400), "effectiveTime": "2024-01-01T00:00:00.000Z", "isLocked": b.RetentionLocked}
	}
	return out
}

func sqlJSON(pr *Project, in SQLInstance) map[string]any {
	var nets []any
	if in.OpenToAll {
		nets = append(nets, map[string]any{"value": "0.0.0.0/0", "name": "anywhere", "kind": "sql#aclEntry"})
	}
	avail := "ZONAL"
	if in.HA {
		avail = "REGIONAL"
	}
	sslMode := "ALLOW_UNENCRYPTED_AND_ENCRYPTED"
	if in.RequireSSL {
		sslMode = "ENCRYPTED_ONLY"
	}
	out := map[string]any{
		"kind": "sql#instance", "state": "RUNNABLE", "databaseVersion": in.Version, "name": in.Name, "project": pr.ID,
		"region": in.Region, "gceZone": in.Region + "-a", "instanceType": "CLOUD_SQL_INSTANCE", "backendType": "SECOND_GEN",
		"connectionName": pr.ID + ":" + in.Region + ":" + in.Name,
		"selfLink":       "https://sqladmin.googleapis.com/v1/projects/" + pr.ID + "/instances/" + in.Name,
		"settings": map[string]any{
			"kind": "sql#settings", "tier": "db-custom-2-7680", "availabilityType": avail, "pricingPlan": "PER_USE",
			"backupConfiguration": map[string]any{"kind": "sql#backupConfiguration", "enabled": in.Backups, "startTime": "02:00",
				"pointInTimeRecoveryEnabled": in.PITR, "transactionLogRetentionDays": 7,
				"backupRetentionSettings": map[string]any{"retentionUnit": "COUNT", "retainedBackups": 7}},
			"ipConfiguration": map[string]any{"ipv4Enabled": in.PublicIP, "requireSsl": in.RequireSSL, "sslMode": sslMode, "authorizedNetworks": nets},
		},
	}
	if !in.PublicIP {
		ip := out["settings"].(map[string]any)["ipConfiguration"].(map[string]any)
		ip["privateNetwork"] = "projects/" + pr.ID + "/global/networks/default"
	}
	if in.KMSKey != "" {
		out["diskEncryptionConfiguration"] = map[string]any{"kmsKeyName": in.KMSKey, "kind": "sql#diskEncryptionConfiguration"}
	}
	return out
}

func ringName(pr *Project, kr KeyRing) string {
	return "projects/" + pr.ID + "/locations/" + kr.Location + "/keyRings/" + kr.Name
}

func keyJSON(pr *Project, kr KeyRing, k Key) map[string]any {
	name := ringName(pr, kr) + "/cryptoKeys/" + k.Name
	out := map[string]any{
		"name": name, "purpose": k.Purpose, "createTime": "2024-01-01T00:00:00.000000Z",
		"versionTemplate":          map[string]any{"protectionLevel": k.Protection, "algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION"},
		"destroyScheduledDuration": "2592000s",
	}
	if k.Purpose == "ENCRYPT_DECRYPT" {
		out["primary"] = map[string]any{"name": name + "/cryptoKeyVersions/1", "state": "ENABLED", "protectionLevel": k.Protection,
			"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION", "createTime": "2024-01-01T00:00:00.000000Z", "generateTime": "2024-01-01T00:00:00.000000Z"}
	}
	if k.RotationDays > 0 {
		out["rotationPeriod"] = strconv.Itoa(k.RotationDays*86400) + "s"
		out["nextRotationTime"] = "2030-01-01T00:00:00Z"
	}
	return out
}

func firewallJSON(pr *Project, f Firewall) map[string]any {
	net := "https://www.googleapis.com/compute/v1/projects/" + pr.ID + "/global/networks/" + f.Network
	return map[string]any{
		"kind": "compute#firewall", "id": strconv.Itoa(len(f.Name) * 7919), "creationTimestamp": "2024-01-01T00:00:00.000-08:00",
		"name": f.Name, "network": net, "priority": 1000, "direction": f.Direction, "disabled": f.Disabled,
		"sourceRanges": f.SourceRanges, "allowed": []any{map[string]any{"IPProtocol": "tcp", "ports": f.Ports}},
		"selfLink": "https://www.googleapis.com/compute/v1/projects/" + pr.ID + "/global/firewalls/" + f.Name,
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, reason, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": status, "message": msg, "errors": []any{map[string]any{"message": msg, "domain": "global", "reason": reason}},
	}})
}

func writeDisabled(w http.ResponseWriter, pr *Project, service string) {
	msg := fmt.Sprintf("%s API has not been used in project %d before or it is disabled.", service, pr.Number)
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": 403, "message": msg, "status": "PERMISSION_DENIED",
		"errors":  []any{map[string]any{"message": msg, "domain": "usageLimits", "reason": "accessNotConfigured"}},
		"details": []any{map[string]any{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED", "domain": "googleapis.com"}},
	}})
}
