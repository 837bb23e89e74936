package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/redshift"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// RedshiftClusters collects the Redshift provisioned clusters of a region:
// public accessibility, encryption and multi-AZ deployment.
//
// AWS API docs: https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeClusters.html
// Operation: DescribeClusters.
type RedshiftClusters struct{ s *Source }

// RedshiftClusterType is the resource type of a Redshift cluster.
const RedshiftClusterType = "aws.redshift.cluster"

func (c *RedshiftClusters) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *RedshiftClusters) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.redshift", Version: 1, Source: SourceName, Title: "Redshift clusters",
		ResourceTypes: []collectors.ResourceType{{Name: RedshiftClusterType, Doc: "A Redshift provisioned cluster. ID is the cluster ARN.", Attributes: []collectors.Attribute{
			{Name: "publicly_accessible", Type: "bool", Doc: "The cluster has a public endpoint reachable from outside its VPC."},
			{Name: "encrypted", Type: "bool", Doc: "Data at rest is encrypted."},
			{Name: "multi_az", Type: "bool", Doc: "The cluster is deployed across two availability zones."},
		}}},
		Permissions: []string{"redshift:DescribeClusters"},
	}
}

// Collect lists the clusters of target's region.
func (c *RedshiftClusters) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	var rs []evidence.Resource
	p := redshift.NewDescribeClustersPaginator(redshift.NewFromConfig(cfg), &redshift.DescribeClustersInput{MaxRecords: awssdk.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws redshift DescribeClusters: %w", apiError("redshift:DescribeClusters", err))
		}
		for _, cl := range page.Clusters {
			id := awssdk.ToString(cl.ClusterIdentifier)
			rs = append(rs, evidence.Resource{Type: RedshiftClusterType, ID: fmt.Sprintf("arn:aws:redshift:%s:%s:cluster:%s", target.Region, target.Account, id),
				Name: id, Account: target.Account, Region: target.Region, Attributes: map[string]any{
					"publicly_accessible": awssdk.ToBool(cl.PubliclyAccessible), "encrypted": awssdk.ToBool(cl.Encrypted),
					"multi_az": awssdk.ToString(cl.MultiAZ) == "Enabled",
				}})
		}
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}
