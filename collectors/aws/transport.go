package aws

import (
	"net/http"
	"strings"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go/middleware"

	"github.com/attestdev/attest/collectors"
)

// servicePrefixes maps SDK service ids to IAM action prefixes. Responses of
// services not listed here (instance metadata, SSO, container credentials)
// are never kept.
var servicePrefixes = map[string]string{
	"S3":                        "s3",
	"S3 Control":                "s3control",
	"IAM":                       "iam",
	"KMS":                       "kms",
	"RDS":                       "rds",
	"EC2":                       "ec2",
	"STS":                       "sts",
	"CloudTrail":                "cloudtrail",
	"GuardDuty":                 "guardduty",
	"Elastic Load Balancing v2": "elasticloadbalancing",
	"CloudFront":                "cloudfront",
	"Backup":                    "backup",
	"Organizations":             "organizations",
	"Secrets Manager":           "secretsmanager",
	"SSM":                       "ssm",
	"CloudWatch":                "cloudwatch",
	"CloudWatch Logs":           "logs",
	"Config Service":            "config",
	"SNS":                       "sns",
	"WAFV2":                     "wafv2",
	"API Gateway":               "apigateway",
	"Redshift":                  "redshift",
	"OpenSearch":                "es",
	"Shield":                    "shield",
	"SecurityHub":               "securityhub",
}

// secretOperations return credentials; their responses are never kept.
var secretOperations = map[string]bool{
	"sts:AssumeRole":                true,
	"sts:AssumeRoleWithSAML":        true,
	"sts:AssumeRoleWithWebIdentity": true,
	"sts:AssumeRoot":                true,
	"sts:GetSessionToken":           true,
	"sts:GetFederationToken":        true,
}

// operationOf names the AWS operation of req from the SDK middleware stack
// values in its context, e.g. "s3:GetBucketEncryption". It reports
// keep=false for credential exchanges and for requests it cannot name.
func operationOf(req *http.Request) (string, bool) {
	ctx := req.Context()
	svc := awsmiddleware.GetServiceID(ctx)
	op := middleware.GetOperationName(ctx)
	prefix, ok := servicePrefixes[svc]
	if !ok || op == "" {
		name := strings.ToLower(strings.ReplaceAll(svc, " ", "")) + ":" + op
		return name, false
	}
	name := prefix + ":" + op
	return name, !secretOperations[name]
}

// captureClient returns an HTTP client whose transport keeps every
// response as raw evidence and gives every attempt its own deadline: dial,
// TLS handshake and response headers are bounded by the transport, and
// the whole exchange by a per-call deadline (the injected client's
// Timeout, or collectors.DefaultTimeouts.Call). The SDK's retryer backs
// off between attempts, outside that deadline. base is the client of an
// injected config, if any.
func captureClient(base awssdkHTTPClient) *http.Client {
	timeouts := collectors.DefaultTimeouts
	var rt http.RoundTripper
	switch c := base.(type) {
	case *http.Client:
		rt = c.Transport
		timeouts = timeouts.WithCall(c.Timeout)
	case *awshttp.BuildableClient:
		rt = c.GetTransport()
		timeouts = timeouts.WithCall(c.GetTimeout())
	}
	if rt == nil {
		rt = collectors.BaseTransport(timeouts)
	}
	return &http.Client{Transport: collectors.Transport(collectors.Deadline(rt, timeouts.Call), operationOf)}
}

// awssdkHTTPClient is the HTTP client interface of aws.Config.
type awssdkHTTPClient interface {
	Do(*http.Request) (*http.Response, error)
}
