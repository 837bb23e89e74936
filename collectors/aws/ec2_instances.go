package aws

import (
	"context"
	"fmt"
	"slices"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// EC2Instances collects the EC2 instances of a region (except terminated
// ones): whether each has a public IPv4 address and whether its subnet is
// private by configuration (aws.private_subnets, or the
// aws.private_subnet_tag subnet tag, default tier=private), and how its
// instance metadata service (IMDS) is configured (MetadataOptions).
//
// AWS API docs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html,
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSubnets.html
// Operations: DescribeSubnets, DescribeInstances.
type EC2Instances struct{ s *Source }

// EC2InstanceType is the resource type of an EC2 instance.
const EC2InstanceType = "aws.ec2.instance"

func (c *EC2Instances) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *EC2Instances) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.ec2.instances", Version: 2, Source: SourceName, Title: "EC2 instances, public IPs, private subnets and instance metadata options",
		ResourceTypes: []collectors.ResourceType{{Name: EC2InstanceType, Doc: "An EC2 instance that is not terminated. ID is the instance ARN.", Attributes: []collectors.Attribute{
			{Name: "state", Type: "string", Doc: `The instance state, e.g. "running" or "stopped".`},
			{Name: "subnet_id", Type: "string", Doc: `The instance's subnet, or "" when it has none.`},
			{Name: "subnet_private", Type: "bool", Doc: "The subnet is in aws.private_subnets or carries the aws.private_subnet_tag tag (default tier=private)."},
			{Name: "public_ip", Type: "bool", Doc: "The instance has a public IPv4 address (auto-assigned or Elastic IP)."},
			{Name: "imds_enabled", Type: "bool", Doc: `The instance metadata service is reachable from the instance (MetadataOptions.HttpEndpoint is not "disabled").`},
			{Name: "imdsv2_required", Type: "bool", Doc: `The instance metadata service requires session tokens, i.e. IMDSv2 only (MetadataOptions.HttpTokens is "required"); false when the options are absent.`},
		}}},
		Permissions: []string{"ec2:DescribeSubnets", "ec2:DescribeInstances"},
	}
}

// Collect lists the subnets and instances of target's region.
func (c *EC2Instances) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := ec2.NewFromConfig(cfg)
	var instances []ec2types.Instance
	p := ec2.NewDescribeInstancesPaginator(cl, &ec2.DescribeInstancesInput{MaxResults: awssdk.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws ec2 DescribeInstances: %w", apiError("ec2:DescribeInstances", err))
		}
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				if i.State == nil || i.State.Name != ec2types.InstanceStateNameTerminated {
					instances = append(instances, i)
				}
			}
		}
	}
	if len(instances) == 0 {
		return nil
	}
	private, subnetErr := c.privateSubnets(ctx, cl)
	if err := cancelled(ctx, "ec2 DescribeSubnets"); err != nil {
		return err
	}
	if subnetErr != nil {
		out.Fail(collectors.FailureOf(subnetErr, fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/*", target.Region, target.Account)))
	}
	res := make([]evidence.Resource, 0, len(instances))
	for _, i := range instances {
		id := awssdk.ToString(i.InstanceId)
		subnet := awssdk.ToString(i.SubnetId)
		state := ""
		if i.State != nil {
			state = string(i.State.Name)
		}
		imdsEnabled, imdsv2 := true, false
		if m := i.MetadataOptions; m != nil {
			imdsEnabled = m.HttpEndpoint != ec2types.InstanceMetadataEndpointStateDisabled
			imdsv2 = m.HttpTokens == ec2types.HttpTokensStateRequired
		}
		r := evidence.Resource{Type: EC2InstanceType, ID: fmt.Sprintf("arn:aws:ec2:%s:%s:instance/%s", target.Region, target.Account, id),
			Name: id, Account: target.Account, Region: target.Region, Attributes: map[string]any{
				"state": state, "subnet_id": subnet, "public_ip": awssdk.ToString(i.PublicIpAddress) != "",
				"imds_enabled": imdsEnabled, "imdsv2_required": imdsv2,
			}}
		switch {
		case slices.Contains(c.s.cfg.PrivateSubnets, subnet) && subnet != "":
			r.Attributes["subnet_private"] = true
		case subnetErr != nil:
			r.Gaps = append(r.Gaps, collectors.GapOf(subnetErr, "subnet_private"))
		default:
			r.Attributes["subnet_private"] = private[subnet]
		}
		res = append(res, r)
	}
	collectors.EmitSorted(out, res, nil)
	return nil
}

// privateSubnets returns the subnets of the region that carry the private
// subnet tag.
func (c *EC2Instances) privateSubnets(ctx context.Context, cl *ec2.Client) (map[string]bool, error) {
	want := c.s.cfg.privateSubnetTag()
	private := map[string]bool{}
	p := ec2.NewDescribeSubnetsPaginator(cl, &ec2.DescribeSubnetsInput{MaxResults: awssdk.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, apiError("ec2:DescribeSubnets", fmt.Errorf("aws ec2 DescribeSubnets: %w", err))
		}
		for _, s := range page.Subnets {
			private[awssdk.ToString(s.SubnetId)] = slices.ContainsFunc(s.Tags, func(t ec2types.Tag) bool {
				return awssdk.ToString(t.Key) == want.Key && awssdk.ToString(t.Value) == want.Value
			})
		}
	}
	return private, nil
}
