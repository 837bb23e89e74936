package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// CloudTrailTrails collects the trails whose home is a region, with their
// logging status, multi-region scope and log file validation.
//
// AWS API docs: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html
// Operations: DescribeTrails (not paginated; shadow trails of other home
// regions are left out), GetTrailStatus.
type CloudTrailTrails struct{ s *Source }

// TrailType is the resource type of a CloudTrail trail.
const TrailType = "aws.cloudtrail.trail"

func (c *CloudTrailTrails) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *CloudTrailTrails) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.cloudtrail", Version: 1, Source: SourceName, Title: "CloudTrail trails",
		ResourceTypes: []collectors.ResourceType{{Name: TrailType, Doc: "A CloudTrail trail, in its home region. ID is the trail ARN.", Attributes: []collectors.Attribute{
			{Name: "multi_region", Type: "bool", Doc: "The trail records events of every region."},
			{Name: "organization_trail", Type: "bool", Doc: "The trail records events of every account of the organisation."},
			{Name: "log_file_validation", Type: "bool", Doc: "Log file integrity validation (digest files) is on."},
			{Name: "kms_encrypted", Type: "bool", Doc: "Log files are encrypted with a KMS key."},
			{Name: "logging", Type: "bool", Doc: "The trail is currently logging."},
		}}},
		Permissions: []string{"cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"},
	}
}

// Collect describes the trails homed in target's region.
func (c *CloudTrailTrails) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := cloudtrail.NewFromConfig(cfg)
	got, err := cl.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: awssdk.Bool(false)})
	if err != nil {
		return fmt.Errorf("aws cloudtrail DescribeTrails: %w", apiError("cloudtrail:DescribeTrails", err))
	}
	res := make([]evidence.Resource, len(got.TrailList))
	each(ctx, c.s.cfg.concurrency(), len(got.TrailList), func(ctx context.Context, i int) {
		t := got.TrailList[i]
		ctx, trace := collectors.WithTrace(ctx)
		r := evidence.Resource{Type: TrailType, ID: awssdk.ToString(t.TrailARN), Name: awssdk.ToString(t.Name),
			Account: target.Account, Region: awssdk.ToString(t.HomeRegion), Attributes: map[string]any{
				"multi_region":        awssdk.ToBool(t.IsMultiRegionTrail),
				"organization_trail":  awssdk.ToBool(t.IsOrganizationTrail),
				"log_file_validation": awssdk.ToBool(t.LogFileValidationEnabled),
				"kms_encrypted":       awssdk.ToString(t.KmsKeyId) != "",
			}}
		st, err := cl.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: t.TrailARN})
		if err != nil {
			fail(out, &r, apiError("cloudtrail:GetTrailStatus", fmt.Errorf("aws cloudtrail GetTrailStatus %s: %w", r.Name, err)), "logging")
		} else {
			r.Attributes["logging"] = awssdk.ToBool(st.IsLogging)
		}
		r.Records = trace.Records()
		res[i] = r
	})
	if err := cancelled(ctx, "cloudtrail"); err != nil {
		return err
	}
	emitSorted(out, res)
	return nil
}
