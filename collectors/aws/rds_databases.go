package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// RDSDatabases collects RDS DB instances and Aurora / multi-AZ DB clusters
// of a region: storage encryption, backup retention, multi-AZ, deletion
// protection and public accessibility.
//
// AWS API docs: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html
// Operations: DescribeDBInstances, DescribeDBClusters.
type RDSDatabases struct{ s *Source }

// Resource types emitted by RDSDatabases.
const (
	RDSInstanceType = "aws.rds.instance"
	RDSClusterType  = "aws.rds.cluster"
)

func (c *RDSDatabases) regional() bool { return true }

func rdsAttrs(kind string) []collectors.Attribute {
	return []collectors.Attribute{
		{Name: "engine", Type: "string", Doc: `Database engine, e.g. "postgres" or "aurora-mysql".`},
		{Name: "storage_encrypted", Type: "bool", Doc: "Storage is encrypted at rest."},
		{Name: "backup_retention_days", Type: "int", Doc: "Days automated backups are kept, 0 when automated backups are off."},
		{Name: "multi_az", Type: "bool", Doc: "The " + kind + " is deployed across availability zones."},
		{Name: "deletion_protection", Type: "bool", Doc: "Deletion protection is on."},
		{Name: "publicly_accessible", Type: "bool", Doc: "The " + kind + " has a publicly resolvable endpoint."},
		regionAllowedAttr,
	}
}

// Describe returns the collector's metadata.
func (c *RDSDatabases) Describe() collectors.Descriptor {
	inst := rdsAttrs("instance")
	inst = append(inst, collectors.Attribute{Name: "cluster", Type: "string", Doc: `The DB cluster the instance belongs to, or "".`})
	return collectors.Descriptor{
		ID: "aws.rds", Version: 1, Source: SourceName, Title: "RDS and Aurora databases",
		ResourceTypes: []collectors.ResourceType{
			{Name: RDSInstanceType, Doc: "An RDS DB instance. ID is the instance ARN.", Attributes: inst},
			{Name: RDSClusterType, Doc: "An Aurora or multi-AZ DB cluster. ID is the cluster ARN.", Attributes: rdsAttrs("cluster")},
		},
		Permissions: []string{"rds:DescribeDBInstances", "rds:DescribeDBClusters"},
	}
}

// Collect lists the DB instances and clusters of target's region.
func (c *RDSDatabases) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := rds.NewFromConfig(cfg)
	var rs []evidence.Resource
	pi := rds.NewDescribeDBInstancesPaginator(cl, &rds.DescribeDBInstancesInput{})
	for pi.HasMorePages() {
		page, err := pi.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws rds DescribeDBInstances: %w", apiError("rds:DescribeDBInstances", err))
		}
		for _, d := range page.DBInstances {
			r := evidence.Resource{Type: RDSInstanceType, ID: awssdk.ToString(d.DBInstanceArn), Name: awssdk.ToString(d.DBInstanceIdentifier),
				Account: target.Account, Region: target.Region, Attributes: map[string]any{
					"engine":                awssdk.ToString(d.Engine),
					"storage_encrypted":     awssdk.ToBool(d.StorageEncrypted),
					"backup_retention_days": int(awssdk.ToInt32(d.BackupRetentionPeriod)),
					"multi_az":              awssdk.ToBool(d.MultiAZ),
					"deletion_protection":   awssdk.ToBool(d.DeletionProtection),
					"publicly_accessible":   awssdk.ToBool(d.PubliclyAccessible),
					"cluster":               awssdk.ToString(d.DBClusterIdentifier),
				}}
			c.s.residency(&r, target.Region)
			rs = append(rs, r)
		}
	}
	pc := rds.NewDescribeDBClustersPaginator(cl, &rds.DescribeDBClustersInput{})
	for pc.HasMorePages() {
		page, err := pc.NextPage(ctx)
		if err != nil {
			// The instances are evidence on their own; the clusters are a
			// failure of this run.
			out.Fail(collectors.FailureOf(fmt.Errorf("aws rds DescribeDBClusters: %w", apiError("rds:DescribeDBClusters", err)), ""))
			if ctx.Err() != nil {
				return cancelled(ctx, "rds DescribeDBClusters")
			}
			break
		}
		for _, d := range page.DBClusters {
			r := evidence.Resource{Type: RDSClusterType, ID: awssdk.ToString(d.DBClusterArn), Name: awssdk.ToString(d.DBClusterIdentifier),
				Account: target.Account, Region: target.Region, Attributes: map[string]any{
					"engine":                awssdk.ToString(d.Engine),
					"storage_encrypted":     awssdk.ToBool(d.StorageEncrypted),
					"backup_retention_days": int(awssdk.ToInt32(d.BackupRetentionPeriod)),
					"multi_az":              awssdk.ToBool(d.MultiAZ),
					"deletion_protection":   awssdk.ToBool(d.DeletionProtection),
					"publicly_accessible":   awssdk.ToBool(d.PubliclyAccessible),
				}}
			c.s.residency(&r, target.Region)
			rs = append(rs, r)
		}
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}
