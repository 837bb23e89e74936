package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// Attributes of a trail that describe the S3 bucket its log files are
// delivered to (CIS AWS Foundations 3.3 and 3.6).
const (
	logBucketBlocked = "log_bucket_public_access_blocked"
	logBucketLogging = "log_bucket_access_logging"
)

// logBucket sets the attributes of the trail's log bucket on r, read with
// the credentials of the trail's account and with ExpectedBucketOwner set
// to it, so that a bucket of another account (a log archive account) is
// never read as this account's: S3 answers 403 for it, and both attributes
// become gaps. Public access counts as blocked when all four settings of
// the bucket's public access block are on, or else all four of the
// account's (S3 Control GetPublicAccessBlock, read only then).
//
// AWS API docs: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLogging.html
func (c *CloudTrailTrails) logBucket(ctx context.Context, cfg awssdk.Config, account, bucket string, r *evidence.Resource, out collectors.Sink) {
	clients := &s3Clients{cfg: cfg, by: map[string]*s3.Client{}}
	owner := awssdk.String(account)
	name := awssdk.String(bucket)
	loc, err := clients.get(cfg.Region).GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: name, ExpectedBucketOwner: owner})
	if err != nil {
		fail(out, r, wrapS3("GetBucketLocation", bucket, err), logBucketBlocked, logBucketLogging)
		return
	}
	region := string(loc.LocationConstraint)
	if region == "" {
		region = "us-east-1"
	}
	cl := clients.get(region)
	c.logBucketBlocked(ctx, cl, cfg, account, name, r, out)
	lg, err := cl.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: name, ExpectedBucketOwner: owner})
	if err != nil {
		fail(out, r, wrapS3("GetBucketLogging", bucket, err), logBucketLogging)
		return
	}
	r.Attributes[logBucketLogging] = lg.LoggingEnabled != nil && awssdk.ToString(lg.LoggingEnabled.TargetBucket) != ""
}

// logBucketBlocked sets log_bucket_public_access_blocked on r.
func (c *CloudTrailTrails) logBucketBlocked(ctx context.Context, cl *s3.Client, cfg awssdk.Config, account string, name *string, r *evidence.Resource, out collectors.Sink) {
	pab, err := cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: name, ExpectedBucketOwner: awssdk.String(account)})
	settings := pabSettings(nil)
	switch {
	case isCode(err, "NoSuchPublicAccessBlockConfiguration"):
	case err != nil:
		fail(out, r, wrapS3("GetPublicAccessBlock", awssdk.ToString(name), err), logBucketBlocked)
		return
	default:
		settings = pabSettings(pab.PublicAccessBlockConfiguration)
	}
	if allOn(settings) {
		r.Attributes[logBucketBlocked] = true
		return
	}
	acct, err := readAccountPAB(ctx, cfg, account)
	if err != nil {
		fail(out, r, fmt.Errorf("account public access block of the trail's log bucket: %w", err), logBucketBlocked)
		return
	}
	r.Attributes[logBucketBlocked] = allOn(acct)
}
