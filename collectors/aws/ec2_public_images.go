package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// EC2PublicImages collects, per region, the EBS snapshots and AMIs the
// account owns and whether each is public. Public snapshots are listed with
// one DescribeSnapshots call restricted to RestorableByUserIds=all, so no
// per-snapshot DescribeSnapshotAttribute call is needed; an AMI's Public
// field comes with DescribeImages.
//
// AWS API docs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html,
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html
// Operations: DescribeSnapshots (OwnerIds self, twice: all and
// RestorableByUserIds all), DescribeImages (Owners self).
type EC2PublicImages struct{ s *Source }

// Resource types emitted by EC2PublicImages.
const (
	EBSSnapshotType = "aws.ec2.snapshot"
	AMIType         = "aws.ec2.image"
)

func (c *EC2PublicImages) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *EC2PublicImages) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.ec2.public_images", Version: 1, Source: SourceName, Title: "EBS snapshots and AMIs owned by the account, and whether they are public",
		ResourceTypes: []collectors.ResourceType{
			{Name: EBSSnapshotType, Doc: "An EBS snapshot the account owns. ID is the snapshot ARN.", Attributes: []collectors.Attribute{
				{Name: "public", Type: "bool", Doc: "Anyone may create a volume from the snapshot (createVolumePermission group all)."},
				{Name: "encrypted", Type: "bool", Doc: "The snapshot is encrypted."},
			}},
			{Name: AMIType, Doc: "An AMI the account owns. ID is the image ARN.", Attributes: []collectors.Attribute{
				{Name: "public", Type: "bool", Doc: "The image's launch permissions include group all (DescribeImages Public)."},
				{Name: "state", Type: "string", Doc: `The image state, e.g. "available".`},
			}},
		},
		Permissions: []string{"ec2:DescribeSnapshots", "ec2:DescribeImages"},
	}
}

// Collect reads target's region. A failed call fails the whole run: a
// snapshot whose visibility is unknown must never read as private.
func (c *EC2PublicImages) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := ec2.NewFromConfig(cfg)
	public, err := snapshotIDs(ctx, cl, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}, RestorableByUserIds: []string{"all"}})
	if err != nil {
		return err
	}
	var rs []evidence.Resource
	p := ec2.NewDescribeSnapshotsPaginator(cl, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}, MaxResults: awssdk.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws ec2 DescribeSnapshots: %w", apiError("ec2:DescribeSnapshots", err))
		}
		for _, s := range page.Snapshots {
			id := awssdk.ToString(s.SnapshotId)
			r := evidence.Resource{Type: EBSSnapshotType, ID: fmt.Sprintf("arn:aws:ec2:%s::snapshot/%s", target.Region, id),
				Name: id, Account: target.Account, Region: target.Region, Attributes: map[string]any{
					"public": public[id], "encrypted": awssdk.ToBool(s.Encrypted),
				}}
			rs = append(rs, r)
		}
	}
	ip := ec2.NewDescribeImagesPaginator(cl, &ec2.DescribeImagesInput{Owners: []string{"self"}, MaxResults: awssdk.Int32(1000)})
	for ip.HasMorePages() {
		page, err := ip.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws ec2 DescribeImages: %w", apiError("ec2:DescribeImages", err))
		}
		for _, i := range page.Images {
			id := awssdk.ToString(i.ImageId)
			name := awssdk.ToString(i.Name)
			if name == "" {
				name = id
			}
			rs = append(rs, evidence.Resource{Type: AMIType, ID: fmt.Sprintf("arn:aws:ec2:%s::image/%s", target.Region, id),
				Name: name, Account: target.Account, Region: target.Region, Attributes: map[string]any{
					"public": awssdk.ToBool(i.Public), "state": string(i.State),
				}})
		}
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}

// snapshotIDs returns the ids of the snapshots in that DescribeSnapshots
// lists.
func snapshotIDs(ctx context.Context, cl *ec2.Client, in *ec2.DescribeSnapshotsInput) (map[string]bool, error) {
	in.MaxResults = awssdk.Int32(1000)
	ids := map[string]bool{}
	p := ec2.NewDescribeSnapshotsPaginator(cl, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("aws ec2 DescribeSnapshots: %w", apiError("ec2:DescribeSnapshots", err))
		}
		for _, s := range page.Snapshots {
			ids[awssdk.ToString(s.SnapshotId)] = true
		}
	}
	return ids, nil
}
