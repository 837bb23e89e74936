package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// LogGroups collects the CloudWatch Logs log groups of a region with their
// retention period.
//
// AWS API docs: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html
// Operations: DescribeLogGroups.
type LogGroups struct{ s *Source }

// LogGroupType is the resource type of a CloudWatch Logs log group.
const LogGroupType = "aws.logs.log_group"

func (c *LogGroups) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *LogGroups) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.logs.log_groups", Version: 1, Source: SourceName, Title: "CloudWatch Logs log groups and their retention",
		ResourceTypes: []collectors.ResourceType{{Name: LogGroupType, Doc: "A CloudWatch Logs log group. ID is the log group ARN.", Attributes: []collectors.Attribute{
			{Name: "retention_days", Type: "int", Doc: "Days after which log events expire; 0 when they never expire (no retention set)."},
			{Name: "stored_bytes", Type: "int", Doc: "Bytes stored in the log group."},
		}}},
		Permissions: []string{"logs:DescribeLogGroups"},
	}
}

// Collect lists the log groups of target's region.
func (c *LogGroups) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	var rs []evidence.Resource
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(cloudwatchlogs.NewFromConfig(cfg), &cloudwatchlogs.DescribeLogGroupsInput{Limit: awssdk.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws logs DescribeLogGroups: %w", apiError("logs:DescribeLogGroups", err))
		}
		for _, g := range page.LogGroups {
			name := awssdk.ToString(g.LogGroupName)
			id := awssdk.ToString(g.LogGroupArn)
			if id == "" {
				id = fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", target.Region, target.Account, name)
			}
			rs = append(rs, evidence.Resource{Type: LogGroupType, ID: id, Name: name, Account: target.Account, Region: target.Region,
				Attributes: map[string]any{"retention_days": int(awssdk.ToInt32(g.RetentionInDays)), "stored_bytes": int(awssdk.ToInt64(g.StoredBytes))}})
		}
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}
