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

// SecurityGroups collects the security groups of a region and which
// administration and database ports (Config.Network.RestrictedPorts) their
// inbound rules open to the whole internet (0.0.0.0/0 or ::/0).
//
// AWS API docs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroups.html
// Operation: DescribeSecurityGroups.
type SecurityGroups struct{ s *Source }

// SecurityGroupType is the resource type of a security group.
const SecurityGroupType = "aws.ec2.security_group"

func (c *SecurityGroups) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *SecurityGroups) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.security_groups", Version: 2, Source: SourceName, Title: "Security groups open to the internet",
		ResourceTypes: []collectors.ResourceType{{Name: SecurityGroupType, Doc: "An EC2 security group. ID is the security group ARN.", Attributes: []collectors.Attribute{
			{Name: "vpc_id", Type: "string", Doc: "The VPC of the group."},
			{Name: "default_group", Type: "bool", Doc: `The group is the VPC's "default" security group.`},
			{Name: "open_to_internet", Type: "bool", Doc: "An inbound rule allows traffic from 0.0.0.0/0 or ::/0 on some port."},
			{Name: "open_restricted_ports", Type: "list", Doc: "The ports of aws.network.restricted_ports (default 22, 3389, 3306, 5432, 1433, 6379, 27017) that an inbound rule opens to 0.0.0.0/0 or ::/0, sorted; empty when none."},
			{Name: "inbound_rules", Type: "int", Doc: "Number of inbound permissions (protocol and port range, from any source: address ranges, prefix lists or security groups); 0 when the group admits no traffic."},
			{Name: "outbound_rules", Type: "int", Doc: "Number of outbound permissions; 0 when the group lets no traffic out."},
		}}},
		Permissions: []string{"ec2:DescribeSecurityGroups"},
	}
}

// Collect lists the security groups of target's region.
func (c *SecurityGroups) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	ports := c.s.cfg.restrictedPorts()
	var rs []evidence.Resource
	p := ec2.NewDescribeSecurityGroupsPaginator(ec2.NewFromConfig(cfg), &ec2.DescribeSecurityGroupsInput{MaxResults: awssdk.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws ec2 DescribeSecurityGroups: %w", apiError("ec2:DescribeSecurityGroups", err))
		}
		for _, g := range page.SecurityGroups {
			id := awssdk.ToString(g.GroupId)
			open, openPorts := worldOpen(g.IpPermissions, ports)
			list := make([]any, len(openPorts))
			for i, p := range openPorts {
				list[i] = p
			}
			rs = append(rs, evidence.Resource{Type: SecurityGroupType,
				ID:   fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/%s", target.Region, target.Account, id),
				Name: id, Account: target.Account, Region: target.Region, Attributes: map[string]any{
					"vpc_id": awssdk.ToString(g.VpcId), "default_group": awssdk.ToString(g.GroupName) == "default",
					"open_to_internet": open, "open_restricted_ports": list,
					"inbound_rules": len(g.IpPermissions), "outbound_rules": len(g.IpPermissionsEgress),
				}})
		}
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}

// worldOpen reports whether any rule admits 0.0.0.0/0 or ::/0, and which of
// ports such rules open over TCP (or all protocols), sorted.
func worldOpen(perms []ec2types.IpPermission, ports []int) (bool, []int) {
	open := false
	var hit []int
	for _, p := range perms {
		world := slices.ContainsFunc(p.IpRanges, func(r ec2types.IpRange) bool { return awssdk.ToString(r.CidrIp) == "0.0.0.0/0" }) ||
			slices.ContainsFunc(p.Ipv6Ranges, func(r ec2types.Ipv6Range) bool { return awssdk.ToString(r.CidrIpv6) == "::/0" })
		if !world {
			continue
		}
		open = true
		proto := awssdk.ToString(p.IpProtocol)
		if proto != "-1" && proto != "tcp" && proto != "6" {
			continue
		}
		for _, port := range ports {
			if proto == "-1" || (p.FromPort != nil && p.ToPort != nil && int(*p.FromPort) <= port && port <= int(*p.ToPort)) {
				hit = append(hit, port)
			}
		}
	}
	slices.Sort(hit)
	return open, slices.Compact(hit)
}
