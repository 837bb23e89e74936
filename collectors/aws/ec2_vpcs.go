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

// VPCs collects the VPCs of a region. A VPC the account owns comes with
// whether it is the default VPC, whether anything is attached to it, and
// whether VPC flow logs record its traffic. A VPC that another account owns
// and shares subnets of with the account (VPC sharing through AWS RAM)
// comes with the environments (Config.Environments) of the owner and of the
// account it is shared with.
//
// ec2:DescribeVpcs lists both kinds, told apart by the VPC's OwnerId. The
// flow logs and network interfaces of a shared VPC belong to its owner,
// which a participant can neither describe nor change
// (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-share-limitations.html),
// so they are read for owned VPCs only: the owner account's own run
// records them.
//
// AWS API docs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcs.html,
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeFlowLogs.html,
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkInterfaces.html,
// https://docs.aws.amazon.com/vpc/latest/userguide/vpc-sharing.html
// Operations: DescribeVpcs; for owned VPCs DescribeFlowLogs and
// DescribeNetworkInterfaces (one call per VPC, filtered by vpc-id, reading
// at most one page); for shared VPCs organizations:ListParents and
// organizations:ListTagsForResource (see Environment), only when
// Config.Environments names OUs or Config.EnvironmentTag is set.
type VPCs struct{ s *Source }

// VPCType is the resource type of a VPC the account owns; VPCShareType
// that of a VPC another account shares with the account.
const (
	VPCType      = "aws.ec2.vpc"
	VPCShareType = "aws.ec2.vpc_share"
)

func (c *VPCs) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *VPCs) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.vpc", Version: 2, Source: SourceName, Title: "VPCs, default VPC use, flow logs and VPC sharing between environments",
		ResourceTypes: []collectors.ResourceType{
			{Name: VPCType, Doc: "A VPC the account owns. ID is the VPC ARN. A VPC another account shares with the account is an " + VPCShareType + ".", Attributes: []collectors.Attribute{
				{Name: "cidr", Type: "string", Doc: "The primary IPv4 CIDR block."},
				{Name: "is_default", Type: "bool", Doc: "The VPC is the region's default VPC."},
				{Name: "in_use", Type: "bool", Doc: "At least one network interface (of an instance, load balancer, database, function...) is in the VPC."},
				{Name: "flow_logs", Type: "bool", Doc: "An active VPC flow log records the VPC's traffic."},
				{Name: "flow_log_traffic", Type: "string", Doc: `Traffic type of the active flow logs: "ALL", "REJECT", "ACCEPT", or "" when none.`},
			}},
			{Name: VPCShareType, Doc: "A VPC that another account owns and shares subnets of with the collected account (VPC sharing), as the collected account lists it. " +
				"Account is the participant. ID is the VPC ARN in the owner account followed by /participant/ and the participant account.", Attributes: []collectors.Attribute{
				{Name: "cidr", Type: "string", Doc: "The primary IPv4 CIDR block."},
				{Name: "owner_account", Type: "string", Doc: "The account that owns the VPC."},
				{Name: "owner_environment", Type: "string", Doc: `Environment of the owner account ("prod" or "nonprod"); a gap when unclassified.`},
				{Name: "participant_environment", Type: "string", Doc: `Environment of the collected (participant) account ("prod" or "nonprod"); a gap when unclassified.`},
				{Name: "cross_environment", Type: "bool", Doc: "The VPC is shared between a prod and a nonprod account; a gap when either is unclassified."},
			}},
		},
		Permissions: append([]string{"ec2:DescribeVpcs", "ec2:DescribeFlowLogs", "ec2:DescribeNetworkInterfaces"}, environmentPermissions...),
	}
}

// Collect lists the VPCs of target's region, then the flow logs and the
// network interfaces of each VPC the account owns, and classifies the
// accounts of each VPC shared with it.
func (c *VPCs) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := ec2.NewFromConfig(cfg)
	var vpcs, shared []ec2types.Vpc
	p := ec2.NewDescribeVpcsPaginator(cl, &ec2.DescribeVpcsInput{MaxResults: awssdk.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws ec2 DescribeVpcs: %w", apiError("ec2:DescribeVpcs", err))
		}
		for _, v := range page.Vpcs {
			if owner := awssdk.ToString(v.OwnerId); owner != "" && owner != target.Account {
				shared = append(shared, v)
			} else {
				vpcs = append(vpcs, v)
			}
		}
	}
	rs, err := c.owned(ctx, cl, target, vpcs, out)
	if err != nil {
		return err
	}
	shares, err := c.shares(ctx, target, shared, out)
	if err != nil {
		return err
	}
	collectors.EmitSorted(out, append(rs, shares...), nil)
	return nil
}

// owned returns the resources of the VPCs target's account owns, with
// their flow logs and whether a network interface is in them.
func (c *VPCs) owned(ctx context.Context, cl *ec2.Client, target evidence.Target, vpcs []ec2types.Vpc, out collectors.Sink) ([]evidence.Resource, error) {
	if len(vpcs) == 0 {
		return nil, nil
	}
	traffic := map[string]string{}
	fp := ec2.NewDescribeFlowLogsPaginator(cl, &ec2.DescribeFlowLogsInput{MaxResults: awssdk.Int32(1000)})
	var flowErr error
	for fp.HasMorePages() {
		page, err := fp.NextPage(ctx)
		if err != nil {
			flowErr = apiError("ec2:DescribeFlowLogs", fmt.Errorf("aws ec2 DescribeFlowLogs: %w", err))
			if ctx.Err() != nil {
				return nil, flowErr
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
	if err := collectors.ForEach(ctx, c.s.cfg.concurrency(), len(vpcs), func(ctx context.Context, i int) {
		id := awssdk.ToString(vpcs[i].VpcId)
		got, err := cl.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{MaxResults: awssdk.Int32(5),
			Filters: []ec2types.Filter{{Name: awssdk.String("vpc-id"), Values: []string{id}}}})
		if err != nil {
			errs[i] = apiError("ec2:DescribeNetworkInterfaces", fmt.Errorf("aws ec2 DescribeNetworkInterfaces %s: %w", id, err))
			return
		}
		inUse[i] = len(got.NetworkInterfaces) > 0
	}); err != nil {
		return nil, fmt.Errorf("aws ec2 DescribeNetworkInterfaces: %w", err)
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
	return rs, nil
}

// shares returns the resources of the VPCs other accounts share with
// target's account, with the environments of owner and participant. The
// environment lookups of one run share a cache, as VPCPeering's do.
func (c *VPCs) shares(ctx context.Context, target evidence.Target, vpcs []ec2types.Vpc, out collectors.Sink) ([]evidence.Resource, error) {
	var rs []evidence.Resource
	envCache := map[string]string{}
	for _, v := range vpcs {
		id, owner := awssdk.ToString(v.VpcId), awssdk.ToString(v.OwnerId)
		r := evidence.Resource{Type: VPCShareType, ID: fmt.Sprintf("arn:aws:ec2:%s:%s:vpc/%s/participant/%s", target.Region, owner, id, target.Account),
			Name: id, Account: target.Account, Region: target.Region,
			Attributes: map[string]any{"cidr": awssdk.ToString(v.CidrBlock), "owner_account": owner}}
		if err := c.s.crossEnvironment(ctx, out, &r, envCache, "the shared VPC", "owner_environment", owner, "participant_environment", target.Account); err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, nil
}
