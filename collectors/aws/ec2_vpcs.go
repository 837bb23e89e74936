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

// VPCs collects the VPCs of a region: whether each is the default VPC,
// whether anything is attached to it, and whether VPC flow logs record its
// traffic.
//
// AWS API docs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcs.html,
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeFlowLogs.html,
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkInterfaces.html
// Operations: DescribeVpcs, DescribeFlowLogs, DescribeNetworkInterfaces
// (one call per VPC, filtered by vpc-id, reading at most one page).
type VPCs struct{ s *Source }

// VPCType is the resource type of a VPC.
const VPCType = "aws.ec2.vpc"

func (c *VPCs) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *VPCs) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.vpc", Version: 1, Source: SourceName, Title: "VPCs, default VPC use and flow logs",
		ResourceTypes: []collectors.ResourceType{{Name: VPCType, Doc: "A VPC. ID is the VPC ARN.", Attributes: []collectors.Attribute{
			{Name: "cidr", Type: "string", Doc: "The primary IPv4 CIDR block."},
			{Name: "is_default", Type: "bool", Doc: "The VPC is the region's default VPC."},
			{Name: "in_use", Type: "bool", Doc: "At least one network interface (of an instance, load balancer, database, function...) is in the VPC."},
			{Name: "flow_logs", Type: "bool", Doc: "An active VPC flow log records the VPC's traffic."},
			{Name: "flow_log_traffic", Type: "string", Doc: `Traffic type of the active flow logs: "ALL", "REJECT", "ACCEPT", or "" when none.`},
		}}},
		Permissions: []string{"ec2:DescribeVpcs", "ec2:DescribeFlowLogs", "ec2:DescribeNetworkInterfaces"},
	}
}

// Collect lists the VPCs and flow logs of target's region, then counts the
// network interfaces of each VPC.
func (c *VPCs) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := ec2.NewFromConfig(cfg)
	var vpcs []ec2types.Vpc
	p := ec2.NewDescribeVpcsPaginator(cl, &ec2.DescribeVpcsInput{MaxResults: awssdk.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws ec2 DescribeVpcs: %w", apiError("ec2:DescribeVpcs", err))
		}
		vpcs = append(vpcs, page.Vpcs...)
	}
	if len(vpcs) == 0 {
		return nil
	}
	traffic := map[string]string{}
	fp := ec2.NewDescribeFlowLogsPaginator(cl, &ec2.DescribeFlowLogsInput{MaxResults: awssdk.Int32(1000)})
	var flowErr error
	for fp.HasMorePages() {
		page, err := fp.NextPage(ctx)
		if err != nil {
			flowErr = apiError("ec2:DescribeFlowLogs", fmt.Errorf("aws ec2 DescribeFlowLogs: %w", err))
			if ctx.Err() != nil {
				return flowErr
			}
			break
		}
		for _, f := range page.FlowLogs {
			if awssdk.ToString(f.FlowLogStatus) != "ACTIVE" {
				continue
			}
			id := awssdk.ToString(f.ResourceId)
			// ALL covers both; otherwise keep what is recorded.
			if t := string(f.TrafficType); traffic[id] == "" || t == "ALL" {
				traffic[id] = t
			}
		}
	}
	inUse := make([]bool, len(vpcs))
	errs := make([]error, len(vpcs))
	each(ctx, c.s.cfg.concurrency(), len(vpcs), func(ctx context.Context, i int) {
		id := awssdk.ToString(vpcs[i].VpcId)
		got, err := cl.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{MaxResults: awssdk.Int32(5),
			Filters: []ec2types.Filter{{Name: awssdk.String("vpc-id"), Values: []string{id}}}})
		if err != nil {
			errs[i] = apiError("ec2:DescribeNetworkInterfaces", fmt.Errorf("aws ec2 DescribeNetworkInterfaces %s: %w", id, err))
			return
		}
		inUse[i] = len(got.NetworkInterfaces) > 0
	})
	if err := cancelled(ctx, "ec2 DescribeNetworkInterfaces"); err != nil {
		return err
	}
	var rs []evidence.Resource
	for i, v := range vpcs {
		id := awssdk.ToString(v.VpcId)
		r := evidence.Resource{Type: VPCType, ID: fmt.Sprintf("arn:aws:ec2:%s:%s:vpc/%s", target.Region, target.Account, id),
			Name: id, Account: target.Account, Region: target.Region, Attributes: map[string]any{
				"cidr": awssdk.ToString(v.CidrBlock), "is_default": awssdk.ToBool(v.IsDefault),
			}}
		if errs[i] != nil {
			fail(out, &r, errs[i], "in_use")
		} else {
			r.Attributes["in_use"] = inUse[i]
		}
		if flowErr != nil {
			r.Gaps = append(r.Gaps, collectors.GapOf(flowErr, "flow_logs"), collectors.GapOf(flowErr, "flow_log_traffic"))
		} else {
			r.Attributes["flow_logs"] = traffic[id] != ""
			r.Attributes["flow_log_traffic"] = traffic[id]
		}
		rs = append(rs, r)
	}
	if flowErr != nil {
		out.Fail(collectors.FailureOf(flowErr, ""))
	}
	emitSorted(out, rs)
	return nil
}
