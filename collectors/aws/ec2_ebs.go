package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// EBSEncryption collects, per region, whether EBS encryption by default is
// on, and every EBS volume with its encryption.
//
// AWS API docs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetEbsEncryptionByDefault.html
// Operations: GetEbsEncryptionByDefault, DescribeVolumes.
type EBSEncryption struct{ s *Source }

// Resource types emitted by EBSEncryption.
const (
	EBSDefaultType = "aws.ec2.ebs_default_encryption"
	EBSVolumeType  = "aws.ec2.volume"
)

func (c *EBSEncryption) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *EBSEncryption) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.ebs", Version: 1, Source: SourceName, Title: "EBS encryption by default and EBS volumes",
		ResourceTypes: []collectors.ResourceType{
			{Name: EBSDefaultType, Doc: "The EBS encryption-by-default setting of one region.", Attributes: []collectors.Attribute{
				{Name: "enabled", Type: "bool", Doc: "New EBS volumes are encrypted by default."},
			}},
			{Name: EBSVolumeType, Doc: "An EBS volume. ID is the volume ARN.", Attributes: []collectors.Attribute{
				{Name: "encrypted", Type: "bool", Doc: "The volume is encrypted."},
				{Name: "state", Type: "string", Doc: `Volume state, e.g. "in-use" or "available".`},
				{Name: "size_gib", Type: "int", Doc: "Size in GiB."},
				regionAllowedAttr,
			}},
		},
		Permissions: []string{"ec2:GetEbsEncryptionByDefault", "ec2:DescribeVolumes"},
	}
}

// Collect reads target's region.
func (c *EBSEncryption) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := ec2.NewFromConfig(cfg)
	var rs []evidence.Resource
	var vols []evidence.Resource
	p := ec2.NewDescribeVolumesPaginator(cl, &ec2.DescribeVolumesInput{MaxResults: awssdk.Int32(500)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws ec2 DescribeVolumes: %w", apiError("ec2:DescribeVolumes", err))
		}
		for _, v := range page.Volumes {
			id := awssdk.ToString(v.VolumeId)
			r := evidence.Resource{Type: EBSVolumeType, ID: fmt.Sprintf("arn:aws:ec2:%s:%s:volume/%s", target.Region, target.Account, id),
				Name: id, Account: target.Account, Region: target.Region, Attributes: map[string]any{
					"encrypted": awssdk.ToBool(v.Encrypted), "state": string(v.State), "size_gib": int(awssdk.ToInt32(v.Size)),
				}}
			c.s.residency(&r, target.Region)
			vols = append(vols, r)
		}
	}
	def := evidence.Resource{Type: EBSDefaultType, ID: fmt.Sprintf("arn:aws:ec2:%s:%s:ebs-encryption-by-default", target.Region, target.Account),
		Name: "EBS encryption by default " + target.Region, Account: target.Account, Region: target.Region, Attributes: map[string]any{}}
	ctx, trace := collectors.WithTrace(ctx)
	got, err := cl.GetEbsEncryptionByDefault(ctx, &ec2.GetEbsEncryptionByDefaultInput{})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("aws ec2 GetEbsEncryptionByDefault: %w", apiError("ec2:GetEbsEncryptionByDefault", err))
		}
		fail(out, &def, apiError("ec2:GetEbsEncryptionByDefault", fmt.Errorf("aws ec2 GetEbsEncryptionByDefault: %w", err)), "enabled")
	} else {
		def.Attributes["enabled"] = awssdk.ToBool(got.EbsEncryptionByDefault)
	}
	def.Records = trace.Records()
	rs = append(rs, def)
	collectors.EmitSorted(out, append(rs, vols...), nil)
	return nil
}
