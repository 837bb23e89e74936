package aws

import (
	"context"
	"fmt"
	"slices"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// CloudTrailTrails collects the trails whose home is a region, with their
// logging status, multi-region scope and log file validation, and for
// every region whether a trail records it: one of the account's own, a
// multi-region trail homed elsewhere, or the organisation trail of the
// management account, which member accounts see as a shadow trail
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html).
//
// AWS API docs: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html
// Operations: DescribeTrails (not paginated, shadow trails included),
// GetTrailStatus for each trail the account owns in its home region, and
// for its S3 log bucket GetBucketLocation, GetPublicAccessBlock (S3 and,
// when the bucket's is not all on, S3 Control) and GetBucketLogging
// (see logBucket).
type CloudTrailTrails struct{ s *Source }

// TrailType is the resource type of a CloudTrail trail, and
// TrailRegionType that of a region's coverage by trails.
const (
	TrailType       = "aws.cloudtrail.trail"
	TrailRegionType = "aws.cloudtrail.region"
)

func (c *CloudTrailTrails) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *CloudTrailTrails) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.cloudtrail", Version: 2, Source: SourceName, Title: "CloudTrail trails and the regions they record",
		ResourceTypes: []collectors.ResourceType{
			{Name: TrailType, Doc: "A CloudTrail trail the account owns, in its home region. ID is the trail ARN.", Attributes: []collectors.Attribute{
				{Name: "multi_region", Type: "bool", Doc: "The trail records events of every region."},
				{Name: "organization_trail", Type: "bool", Doc: "The trail records events of every account of the organisation."},
				{Name: "log_file_validation", Type: "bool", Doc: "Log file integrity validation (digest files) is on."},
				{Name: "kms_encrypted", Type: "bool", Doc: "Log files are encrypted with a KMS key."},
				{Name: "logging", Type: "bool", Doc: "The trail is currently logging."},
				{Name: "log_bucket", Type: "string", Doc: "The S3 bucket the trail delivers its log files to."},
				{Name: logBucketBlocked, Type: "bool", Doc: "The log bucket's public access is blocked: all four settings of its public access block are on, or all four of the account's. A gap when the bucket is not the trail account's (a log archive account) or cannot be read."},
				{Name: logBucketLogging, Type: "bool", Doc: "The log bucket has server access logging on. A gap when the bucket is not the trail account's or cannot be read."},
			}},
			{Name: TrailRegionType, Doc: "One region of an account and the trails that record it. ID is arn:aws:cloudtrail:<region>:<account>:region.", Attributes: []collectors.Attribute{
				{Name: "recorded", Type: "bool", Doc: "At least one trail records the region: the account's own, or an organisation trail. Whether it is logging is an attribute of the trail, read in the account that owns it."},
				{Name: "organization_trail", Type: "bool", Doc: "An organisation trail records the region."},
				{Name: "trails", Type: "list", Doc: "ARNs of the trails that record the region, sorted."},
			}},
		},
		Permissions: []string{"cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus",
			"s3:GetBucketLocation", "s3:GetBucketPublicAccessBlock", "s3:GetAccountPublicAccessBlock", "s3:GetBucketLogging"},
	}
}

// Collect describes the trails that record target's region.
func (c *CloudTrailTrails) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := cloudtrail.NewFromConfig(cfg)
	lctx, trace := collectors.WithTrace(ctx)
	got, err := cl.DescribeTrails(lctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: awssdk.Bool(true)})
	if err != nil {
		return fmt.Errorf("aws cloudtrail DescribeTrails: %w", apiError("cloudtrail:DescribeTrails", err))
	}
	listing := trace.Records()
	region := evidence.Resource{Type: TrailRegionType, ID: fmt.Sprintf("arn:aws:cloudtrail:%s:%s:region", target.Region, target.Account),
		Name: target.Region, Account: target.Account, Region: target.Region, Records: listing}
	var arns []string
	var own []cttypes.Trail
	org := false
	for _, t := range got.TrailList {
		trailARN := awssdk.ToString(t.TrailARN)
		arns = append(arns, trailARN)
		org = org || awssdk.ToBool(t.IsOrganizationTrail)
		if a, err := arn.Parse(trailARN); err == nil && a.AccountID == target.Account && awssdk.ToString(t.HomeRegion) == target.Region {
			own = append(own, t)
		}
	}
	slices.Sort(arns)
	arns = slices.Compact(arns)
	region.Attributes = map[string]any{"recorded": len(arns) > 0, "organization_trail": org, "trails": stringList(arns)}

	res := make([]evidence.Resource, len(own))
	if err := collectors.ForEach(ctx, c.s.cfg.concurrency(), len(own), func(ctx context.Context, i int) {
		t := own[i]
		ctx, trace := collectors.WithTrace(ctx)
		r := evidence.Resource{Type: TrailType, ID: awssdk.ToString(t.TrailARN), Name: awssdk.ToString(t.Name),
			Account: target.Account, Region: awssdk.ToString(t.HomeRegion), Attributes: map[string]any{
				"multi_region":        awssdk.ToBool(t.IsMultiRegionTrail),
				"organization_trail":  awssdk.ToBool(t.IsOrganizationTrail),
				"log_file_validation": awssdk.ToBool(t.LogFileValidationEnabled),
				"kms_encrypted":       awssdk.ToString(t.KmsKeyId) != "",
				"log_bucket":          awssdk.ToString(t.S3BucketName),
			}}
		st, err := cl.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: t.TrailARN})
		if err != nil {
			fail(out, &r, apiError("cloudtrail:GetTrailStatus", fmt.Errorf("aws cloudtrail GetTrailStatus %s: %w", r.Name, err)), "logging")
		} else {
			r.Attributes["logging"] = awssdk.ToBool(st.IsLogging)
		}
		c.logBucket(ctx, cfg, target.Account, awssdk.ToString(t.S3BucketName), &r, out)
		r.Records = append(slices.Clone(listing), trace.Records()...)
		res[i] = r
	}); err != nil {
		return fmt.Errorf("aws cloudtrail: %w", err)
	}
	collectors.EmitSorted(out, append(res, region), nil)
	return nil
}
