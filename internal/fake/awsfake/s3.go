package awsfake

import (
	"io"
	"net/http"
	"strings"
)

const s3ns = `xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`

// s3Operation names a path-style S3 request.
func s3Operation(r *http.Request) (op, bucket string) {
	path := strings.Trim(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	q := r.URL.Query()
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	verb := "Get"
	switch r.Method {
	case http.MethodPut:
		verb = "Put"
	case http.MethodDelete:
		verb = "Delete"
	case http.MethodPost:
		verb = "Post"
	}
	switch {
	case bucket == "" && r.Method == http.MethodGet:
		return "ListBuckets", ""
	case key != "":
		if read {
			return "GetObject", bucket
		}
		return verb + "Object", bucket
	case r.Method == http.MethodHead:
		return "HeadBucket", bucket
	}
	subs := map[string]string{
		"encryption":        "BucketEncryption",
		"versioning":        "BucketVersioning",
		"publicAccessBlock": "PublicAccessBlock",
		"policy":            "BucketPolicy",
		"lifecycle":         "BucketLifecycleConfiguration",
		"location":          "BucketLocation",
		"acl":               "BucketAcl",
		"tagging":           "BucketTagging",
		"replication":       "BucketReplication",
		"logging":           "BucketLogging",
	}
	for k, name := range subs {
		if q.Has(k) {
			return verb + name, bucket
		}
	}
	if read {
		return "ListObjectsV2", bucket
	}
	return verb + "Bucket", bucket
}

func (s *State) bucket(name string) *Bucket {
	for i := range s.Buckets {
		if s.Buckets[i].Name == name {
			return &s.Buckets[i]
		}
	}
	return nil
}

// foreignBucket reports whether req's bucket belongs to another account of
// the organisation.
func (s *State) foreignBucket(req *Request) bool {
	org := s
	if req.management != nil {
		org = req.management
	}
	if org != s && org.bucket(req.Bucket) != nil {
		return true
	}
	for _, m := range org.Members {
		if m != s && m.bucket(req.Bucket) != nil {
			return true
		}
	}
	return false
}

func (s *State) serveS3(w http.ResponseWriter, req *Request) bool {
	if req.Operation == "ListBuckets" {
		q := req.HTTP.URL.Query()
		items, next := page(s.Buckets, q.Get("continuation-token"), s.PageSize)
		var bs []Node
		for _, b := range items {
			bs = append(bs, E("Bucket", T("Name", b.Name), TS("CreationDate", b.Created), T("BucketRegion", b.Region)))
		}
		kids := []Node{E("Owner", T("ID", "fake-owner")), E("Buckets", bs...)}
		if next != "" {
			kids = append(kids, T("ContinuationToken", next))
		}
		writeXML(w, http.StatusOK, E("ListAllMyBucketsResult "+s3ns, kids...))
		return true
	}
	b := s.bucket(req.Bucket)
	if owner := req.HTTP.Header.Get("X-Amz-Expected-Bucket-Owner"); (b != nil && owner != "" && owner != s.AccountID) || (b == nil && s.foreignBucket(req)) {
		// S3 answers 403 for a bucket of another account, and when
		// ExpectedBucketOwner names another account than the owner's.
		writeError(w, req, http.StatusForbidden, "AccessDenied", "Access Denied")
		return true
	}
	if b == nil {
		writeError(w, req, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return true
	}
	switch req.Operation {
	case "HeadBucket":
		w.Header().Set("X-Amz-Bucket-Region", b.Region)
		w.WriteHeader(http.StatusOK)
	case "GetBucketLocation":
		loc := b.Region
		if loc == "us-east-1" {
			loc = ""
		}
		writeXML(w, http.StatusOK, T("LocationConstraint "+s3ns, loc))
	case "GetBucketEncryption":
		if b.Encryption == "" {
			writeError(w, req, http.StatusNotFound, "ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found")
			return true
		}
		def := []Node{T("SSEAlgorithm", b.Encryption)}
		if b.KMSKeyID != "" {
			def = append(def, T("KMSMasterKeyID", b.KMSKeyID))
		}
		writeXML(w, http.StatusOK, E("ServerSideEncryptionConfiguration "+s3ns,
			E("Rule", E("ApplyServerSideEncryptionByDefault", def...), B("BucketKeyEnabled", b.BucketKey))))
	case "GetBucketVersioning":
		var kids []Node
		if b.Versioning != "" {
			kids = append(kids, T("Status", b.Versioning))
		}
		writeXML(w, http.StatusOK, E("VersioningConfiguration "+s3ns, kids...))
	case "GetPublicAccessBlock":
		p := b.PublicAccessBlock
		if p == nil {
			writeError(w, req, http.StatusNotFound, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
			return true
		}
		writeXML(w, http.StatusOK, E("PublicAccessBlockConfiguration "+s3ns,
			B("BlockPublicAcls", p.BlockPublicAcls), B("IgnorePublicAcls", p.IgnorePublicAcls),
			B("BlockPublicPolicy", p.BlockPublicPolicy), B("RestrictPublicBuckets", p.RestrictPublicBuckets)))
	case "GetBucketPolicy":
		if b.Policy == "" {
			writeError(w, req, http.StatusNotFound, "NoSuchBucketPolicy", "The bucket policy does not exist")
			return true
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, b.Policy)
	case "GetBucketLifecycleConfiguration":
		if b.Lifecycle == nil {
			writeError(w, req, http.StatusNotFound, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist")
			return true
		}
		var rules []Node
		for _, r := range b.Lifecycle {
			status := "Disabled"
			if r.Enabled {
				status = "Enabled"
			}
			rules = append(rules, E("Rule", T("ID", r.ID), E("Filter", T("Prefix", "")), T("Status", status),
				E("NoncurrentVersionExpiration", I("NoncurrentDays", 90))))
		}
		writeXML(w, http.StatusOK, E("LifecycleConfiguration "+s3ns, rules...))
	default:
		return false
	}
	return true
}
