package aws

import (
	"context"
	"fmt"
	"slices"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// RDSPublicSnapshots collects, per region, the manual RDS DB snapshots the
// account owns and whether each is public (its restore attribute includes
// "all"). Only manual snapshots can be shared; DB cluster snapshots are not
// read.
//
// AWS API docs: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBSnapshots.html,
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBSnapshotAttributes.html
// Operations: DescribeDBSnapshots (SnapshotType manual), then
// DescribeDBSnapshotAttributes once per snapshot.
type RDSPublicSnapshots struct{ s *Source }

// RDSSnapshotType is the resource type of a manual RDS DB snapshot.
const RDSSnapshotType = "aws.rds.snapshot"

func (c *RDSPublicSnapshots) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *RDSPublicSnapshots) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.rds.snapshots", Version: 1, Source: SourceName, Title: "Manual RDS DB snapshots and whether they are public",
		ResourceTypes: []collectors.ResourceType{{Name: RDSSnapshotType, Doc: "A manual RDS DB snapshot the account owns. ID is the snapshot ARN.", Attributes: []collectors.Attribute{
			{Name: "public", Type: "bool", Doc: `Any AWS account may restore the snapshot (the restore attribute includes "all").`},
			{Name: "encrypted", Type: "bool", Doc: "The snapshot is encrypted."},
		}}},
		Permissions: []string{"rds:DescribeDBSnapshots", "rds:DescribeDBSnapshotAttributes"},
	}
}

// Collect reads target's region. A snapshot deleted between the listing and
// its attribute read (DBSnapshotNotFound) is left out; any other failed call
// fails the run, so a snapshot of unknown visibility never reads as private.
func (c *RDSPublicSnapshots) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := rds.NewFromConfig(cfg)
	var rs []evidence.Resource
	p := rds.NewDescribeDBSnapshotsPaginator(cl, &rds.DescribeDBSnapshotsInput{SnapshotType: awssdk.String("manual"), MaxRecords: awssdk.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws rds DescribeDBSnapshots: %w", apiError("rds:DescribeDBSnapshots", err))
		}
		for _, s := range page.DBSnapshots {
			id := awssdk.ToString(s.DBSnapshotIdentifier)
			attrs, err := cl.DescribeDBSnapshotAttributes(ctx, &rds.DescribeDBSnapshotAttributesInput{DBSnapshotIdentifier: awssdk.String(id)})
			if err != nil {
				if errorCode(err) == "DBSnapshotNotFound" && ctx.Err() == nil {
					continue
				}
				return fmt.Errorf("aws rds DescribeDBSnapshotAttributes %s: %w", id, apiError("rds:DescribeDBSnapshotAttributes", err))
			}
			public := false
			if r := attrs.DBSnapshotAttributesResult; r != nil {
				for _, a := range r.DBSnapshotAttributes {
					if awssdk.ToString(a.AttributeName) == "restore" && slices.Contains(a.AttributeValues, "all") {
						public = true
					}
				}
			}
			arn := awssdk.ToString(s.DBSnapshotArn)
			if arn == "" {
				arn = fmt.Sprintf("arn:aws:rds:%s:%s:snapshot:%s", target.Region, target.Account, id)
			}
			rs = append(rs, evidence.Resource{Type: RDSSnapshotType, ID: arn, Name: id, Account: target.Account, Region: target.Region,
				Attributes: map[string]any{"public": public, "encrypted": awssdk.ToBool(s.Encrypted)}})
		}
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}
