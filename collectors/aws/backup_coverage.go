package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// BackupCoverage collects, per region, the data stores attest knows (RDS DB
// instances outside a cluster, DB clusters, EBS volumes) and whether AWS
// Backup holds a backup of each, with the time of the latest. A store is
// matched by its ARN against the resources AWS Backup lists as protected,
// that is backed up at least once. Backups taken outside AWS Backup (RDS
// automated backups, snapshots by other tools) are not seen here.
//
// AWS API docs: https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListProtectedResources.html,
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html,
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusters.html,
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVolumes.html
// Operations: backup:ListProtectedResources, rds:DescribeDBInstances,
// rds:DescribeDBClusters, ec2:DescribeVolumes.
type BackupCoverage struct{ s *Source }

// BackupDataStoreType is the resource type of a data store and its AWS
// Backup coverage.
const BackupDataStoreType = "aws.backup.datastore"

// protectedPage is the MaxResults of one ListProtectedResources page, the
// most AWS Backup returns.
const protectedPage = 1000

func (c *BackupCoverage) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *BackupCoverage) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.backup.coverage", Version: 1, Source: SourceName, Title: "AWS Backup coverage of RDS databases and EBS volumes",
		ResourceTypes: []collectors.ResourceType{{Name: BackupDataStoreType, Doc: "An RDS DB instance (outside a cluster), DB cluster or EBS volume, and its backups in AWS Backup. ID is the store's ARN.", Attributes: []collectors.Attribute{
			{Name: "kind", Type: "string", Doc: `"rds_instance", "rds_cluster" or "ebs_volume".`},
			{Name: "protected", Type: "bool", Doc: "AWS Backup lists the store as protected: it holds at least one backup of it."},
			{Name: "last_backup", Type: "timestamp", Doc: `When AWS Backup last backed the store up, or "" when never.`},
		}}},
		Permissions: []string{"backup:ListProtectedResources", "rds:DescribeDBInstances", "rds:DescribeDBClusters", "ec2:DescribeVolumes"},
	}
}

// Collect lists the data stores of target's region and matches them
// against the resources AWS Backup protects there. A listing that fails
// fails the run: a store missing from the evidence is never judged
// protected, and a store is never judged unprotected without the list.
func (c *BackupCoverage) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	ctx, trace := collectors.WithTrace(ctx)
	last := map[string]string{}
	bp := backup.NewListProtectedResourcesPaginator(backup.NewFromConfig(cfg), &backup.ListProtectedResourcesInput{MaxResults: awssdk.Int32(protectedPage)})
	for bp.HasMorePages() {
		page, err := bp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws backup ListProtectedResources: %w", apiError("backup:ListProtectedResources", err))
		}
		for _, r := range page.Results {
			last[awssdk.ToString(r.ResourceArn)] = timestamp(r.LastBackupTime)
		}
	}
	type store struct{ arn, name, kind string }
	var stores []store
	rcl := rds.NewFromConfig(cfg)
	pi := rds.NewDescribeDBInstancesPaginator(rcl, &rds.DescribeDBInstancesInput{})
	for pi.HasMorePages() {
		page, err := pi.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws rds DescribeDBInstances: %w", apiError("rds:DescribeDBInstances", err))
		}
		for _, d := range page.DBInstances {
			// An instance of a cluster is backed up with its cluster.
			if awssdk.ToString(d.DBClusterIdentifier) == "" {
				stores = append(stores, store{awssdk.ToString(d.DBInstanceArn), awssdk.ToString(d.DBInstanceIdentifier), "rds_instance"})
			}
		}
	}
	pc := rds.NewDescribeDBClustersPaginator(rcl, &rds.DescribeDBClustersInput{})
	for pc.HasMorePages() {
		page, err := pc.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws rds DescribeDBClusters: %w", apiError("rds:DescribeDBClusters", err))
		}
		for _, d := range page.DBClusters {
			stores = append(stores, store{awssdk.ToString(d.DBClusterArn), awssdk.ToString(d.DBClusterIdentifier), "rds_cluster"})
		}
	}
	pv := ec2.NewDescribeVolumesPaginator(ec2.NewFromConfig(cfg), &ec2.DescribeVolumesInput{MaxResults: awssdk.Int32(500)})
	for pv.HasMorePages() {
		page, err := pv.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws ec2 DescribeVolumes: %w", apiError("ec2:DescribeVolumes", err))
		}
		for _, v := range page.Volumes {
			id := awssdk.ToString(v.VolumeId)
			stores = append(stores, store{fmt.Sprintf("arn:aws:ec2:%s:%s:volume/%s", target.Region, target.Account, id), id, "ebs_volume"})
		}
	}
	records := trace.Records()
	rs := make([]evidence.Resource, 0, len(stores))
	for _, st := range stores {
		at, ok := last[st.arn]
		rs = append(rs, evidence.Resource{Type: BackupDataStoreType, ID: st.arn, Name: st.name, Account: target.Account, Region: target.Region,
			Records: records, Attributes: map[string]any{"kind": st.kind, "protected": ok, "last_backup": at}})
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}
