package awsfake

import (
	"net/http"
	"slices"
	"time"
)

// Protection holds account protection settings outside the older State
// fields.
type Protection struct {
	// AccountPublicAccessBlock is the account-level S3 Block Public Access
	// configuration (s3control.go); nil when the account has none.
	AccountPublicAccessBlock *PublicAccessBlock
	// BucketTags holds the tags of S3 buckets by bucket name; a bucket
	// without an entry has no tag set.
	BucketTags map[string]map[string]string
	// Replication holds, by bucket name, the replication rules of S3
	// buckets; a bucket without an entry has no replication
	// configuration.
	Replication map[string][]ReplicationRule
	// Findings are GuardDuty findings (guardduty.go), served by the
	// detector of their region.
	Findings []Finding
	// Subnets and Instances are EC2 subnets and instances (instances.go).
	Subnets   []Subnet
	Instances []Instance
	// ShieldAdvanced is true when the account subscribes to Shield
	// Advanced (shield.go).
	ShieldAdvanced bool
}

// A Subnet is an EC2 subnet.
type Subnet struct {
	ID     string
	Region string
	VPC    string
	Tags   map[string]string
}

// An Instance is an EC2 instance.
type Instance struct {
	ID     string
	Region string
	Subnet string
	// PublicIP is the public IPv4 address, "" for none.
	PublicIP string
	// State is "running", "stopped", "terminated"...
	State string
	// IMDSTokens is MetadataOptions.HttpTokens: "required" (IMDSv2 only)
	// or "optional"; "" serves "optional".
	IMDSTokens string
	// IMDSDisabled turns the instance metadata endpoint off.
	IMDSDisabled bool
}

// A Finding is a GuardDuty finding.
type Finding struct {
	ID       string
	Region   string
	Type     string
	Severity float64
	Archived bool
	Created  time.Time
	Updated  time.Time
}

// A ReplicationRule is one S3 replication rule.
type ReplicationRule struct {
	ID      string
	Enabled bool
	// Destination is the destination bucket ARN.
	Destination string
}

// serveS3Protection serves the S3 bucket tagging and replication
// operations of an existing bucket.
func (s *State) serveS3Protection(w http.ResponseWriter, req *Request) bool {
	switch req.Operation {
	case "GetBucketTagging":
		tags, ok := s.Protection.BucketTags[req.Bucket]
		if !ok {
			writeError(w, req, http.StatusNotFound, "NoSuchTagSet", "The TagSet does not exist")
			return true
		}
		keys := make([]string, 0, len(tags))
		for k := range tags {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var set []Node
		for _, k := range keys {
			set = append(set, E("Tag", T("Key", k), T("Value", tags[k])))
		}
		writeXML(w, http.StatusOK, E("Tagging "+s3ns, E("TagSet", set...)))
	case "GetBucketReplication":
		rules, ok := s.Protection.Replication[req.Bucket]
		if !ok {
			writeError(w, req, http.StatusNotFound, "ReplicationConfigurationNotFoundError", "The replication configuration was not found")
			return true
		}
		kids := []Node{T("Role", "arn:aws:iam::"+s.AccountID+":role/s3-replication")}
		for i, r := range rules {
			status := "Disabled"
			if r.Enabled {
				status = "Enabled"
			}
			kids = append(kids, E("Rule", T("ID", r.ID), T("Status", status), I("Priority", i+1),
				E("DeleteMarkerReplication", T("Status", "Disabled")), E("Filter", T("Prefix", "")),
				E("Destination", T("Bucket", r.Destination))))
		}
		writeXML(w, http.StatusOK, E("ReplicationConfiguration "+s3ns, kids...))
	default:
		return false
	}
	return true
}
