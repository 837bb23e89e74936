package aws

import (
	"context"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// logging sets access_logging and access_log_target of res from
// GetBucketLogging, one call per bucket:
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLogging.html
// A bucket without server access logging answers with an empty
// BucketLoggingStatus, not an error.
func (c *S3Buckets) logging(ctx context.Context, cl *s3.Client, bucket *string, res *evidence.Resource, out collectors.Sink) {
	lg, err := cl.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: bucket})
	if err != nil {
		fail(out, res, wrapS3("GetBucketLogging", awssdk.ToString(bucket), err), "access_logging", "access_log_target")
		return
	}
	target := ""
	if lg.LoggingEnabled != nil {
		target = awssdk.ToString(lg.LoggingEnabled.TargetBucket)
	}
	res.Attributes["access_logging"] = target != ""
	res.Attributes["access_log_target"] = target
}
