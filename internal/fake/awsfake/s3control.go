package awsfake

import (
	"net/http"
	"strings"
)

// s3ControlPrefix starts the path of every S3 Control request. S3 Control
// signs as "s3", so the path tells it apart from path-style S3.
const s3ControlPrefix = "/v20180820/"

const s3ControlNS = `xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"`

// s3ControlOperation names an S3 Control request.
func s3ControlOperation(r *http.Request) string {
	path := strings.TrimPrefix(r.URL.Path, s3ControlPrefix)
	if path == "configuration/publicAccessBlock" {
		switch r.Method {
		case http.MethodGet:
			return "GetPublicAccessBlock"
		case http.MethodPut:
			return "PutPublicAccessBlock"
		case http.MethodDelete:
			return "DeletePublicAccessBlock"
		}
	}
	return strings.ToUpper(r.Method[:1]) + strings.ToLower(r.Method[1:]) + "S3Control"
}

// serveS3Control serves the account-level public access block of the
// account named by the x-amz-account-id header.
func (s *State) serveS3Control(w http.ResponseWriter, req *Request) bool {
	if req.Operation != "GetPublicAccessBlock" {
		return false
	}
	if got := req.HTTP.Header.Get("X-Amz-Account-Id"); s.AccountID != "" && got != s.AccountID {
		writeError(w, req, http.StatusForbidden, "AccessDenied", "x-amz-account-id "+got+" is not the caller's account")
		return true
	}
	p := s.Protection.AccountPublicAccessBlock
	if p == nil {
		writeError(w, req, http.StatusNotFound, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
		return true
	}
	writeXML(w, http.StatusOK, E("PublicAccessBlockConfiguration "+s3ControlNS,
		B("BlockPublicAcls", p.BlockPublicAcls), B("IgnorePublicAcls", p.IgnorePublicAcls),
		B("BlockPublicPolicy", p.BlockPublicPolicy), B("RestrictPublicBuckets", p.RestrictPublicBuckets)))
	return true
}
