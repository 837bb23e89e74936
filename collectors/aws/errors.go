package aws

import (
	"context"
	"errors"
	"net/http"
	"slices"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// deniedCodes are AWS error codes that mean the credentials lack a
// permission.
var deniedCodes = []string{
	"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
	"AuthorizationError", "AuthorizationErrorException", "Forbidden",
	"AllAccessDisabled", "UnauthorizedAccess", "AccessDeniedForDependencyException",
}

// throttleCodes are AWS error codes that mean the caller was rate limited.
var throttleCodes = []string{
	"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
	"RequestThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
	"SlowDown", "ProvisionedThroughputExceededException", "BandwidthLimitExceeded",
	"PriorRequestNotComplete", "EC2ThrottledException",
}

// apiError classifies err, returned by operation op (e.g.
// "s3:GetBucketEncryption"), into a *collectors.APIError. Context errors keep
// their identity: errors.Is(result, context.Canceled) holds when the call
// was cancelled.
func apiError(op string, err error) error {
	if err == nil {
		return nil
	}
	kind := evidence.Errored
	code := errorCode(err)
	var re *awshttp.ResponseError
	status := 0
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	switch {
	case errors.Is(err, context.Canceled):
		kind = evidence.Cancelled
	case errors.Is(err, context.DeadlineExceeded):
		kind = evidence.Timeout
	case slices.Contains(throttleCodes, code) || status == http.StatusTooManyRequests:
		kind = evidence.Throttled
	case slices.Contains(deniedCodes, code) || status == http.StatusForbidden:
		kind = evidence.Denied
	}
	e := &collectors.APIError{Kind: kind, Operation: op, Err: err}
	if kind == evidence.Denied {
		e.Permission = permissionFor(op)
	}
	return e
}

// errorCode returns the AWS error code of err, or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// isCode reports whether err carries one of the AWS error codes.
func isCode(err error, codes ...string) bool {
	c := errorCode(err)
	return c != "" && slices.Contains(codes, c)
}

// s3Permissions maps S3 operations whose IAM action has a different name.
var s3Permissions = map[string]string{
	"s3:ListBuckets":                     "s3:ListAllMyBuckets",
	"s3:GetBucketEncryption":             "s3:GetEncryptionConfiguration",
	"s3:GetPublicAccessBlock":            "s3:GetBucketPublicAccessBlock",
	"s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
	"s3:HeadBucket":                      "s3:ListBucket",
	s3AccountPABOp:                       "s3:GetAccountPublicAccessBlock",
	"s3:GetBucketReplication":            "s3:GetReplicationConfiguration",
}

// permissionFor returns the IAM action that authorises operation op.
func permissionFor(op string) string {
	if p, ok := s3Permissions[op]; ok {
		return p
	}
	return op
}
