package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// VPCPeering collects the active VPC peering connections of a region with
// the environments (Config.Environments) of the two accounts they join.
//
// AWS API docs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcPeeringConnections.html
// Operations: ec2:DescribeVpcPeeringConnections, organizations:ListParents
// (see Environment).
type VPCPeering struct{ s *Source }

// PeeringType is the resource type of a VPC peering connection.
const PeeringType = "aws.ec2.vpc_peering"

func (c *VPCPeering) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *VPCPeering) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.vpc_peering", Version: 1, Source: SourceName, Title: "VPC peering between environments",
		ResourceTypes: []collectors.ResourceType{{Name: PeeringType, Doc: "An active VPC peering connection. ID is its ARN.", Attributes: []collectors.Attribute{
			{Name: "requester_account", Type: "string", Doc: "Account of the requester VPC."},
			{Name: "accepter_account", Type: "string", Doc: "Account of the accepter VPC."},
			{Name: "requester_environment", Type: "string", Doc: `Environment of the requester account ("prod" or "nonprod"); a gap when unclassified.`},
			{Name: "accepter_environment", Type: "string", Doc: `Environment of the accepter account ("prod" or "nonprod"); a gap when unclassified.`},
			{Name: "cross_environment", Type: "bool", Doc: "The connection joins a prod and a nonprod account; a gap when either is unclassified."},
		}}},
		Permissions: append([]string{"ec2:DescribeVpcPeeringConnections"}, environmentPermissions...),
	}
}

// Collect lists the active peering connections of target's region.
func (c *VPCPeering) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	var pcs []ec2types.VpcPeeringConnection
	p := ec2.NewDescribeVpcPeeringConnectionsPaginator(ec2.NewFromConfig(cfg), &ec2.DescribeVpcPeeringConnectionsInput{MaxResults: awssdk.Int32(1000),
		Filters: []ec2types.Filter{{Name: awssdk.String("status-code"), Values: []string{"active"}}}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws ec2 DescribeVpcPeeringConnections: %w", apiError("ec2:DescribeVpcPeeringConnections", err))
		}
		pcs = append(pcs, page.VpcPeeringConnections...)
	}
	var rs []evidence.Resource
	envCache := map[string]string{}
	for _, pc := range pcs {
		id := awssdk.ToString(pc.VpcPeeringConnectionId)
		req, acc := "", ""
		if pc.RequesterVpcInfo != nil {
			req = awssdk.ToString(pc.RequesterVpcInfo.OwnerId)
		}
		if pc.AccepterVpcInfo != nil {
			acc = awssdk.ToString(pc.AccepterVpcInfo.OwnerId)
		}
		r := evidence.Resource{Type: PeeringType, ID: fmt.Sprintf("arn:aws:ec2:%s:%s:vpc-peering-connection/%s", target.Region, target.Account, id),
			Name: id, Account: target.Account, Region: target.Region,
			Attributes: map[string]any{"requester_account": req, "accepter_account": acc}}
		if err := c.s.crossEnvironment(ctx, out, &r, envCache, "the connection", "requester_environment", req, "accepter_environment", acc); err != nil {
			return err
		}
		rs = append(rs, r)
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}
