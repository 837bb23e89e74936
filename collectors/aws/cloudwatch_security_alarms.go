package aws

import (
	"context"
	"fmt"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// SecurityAlarms collects, per region, whether CloudTrail events of
// security interest raise an alarm that notifies someone: a CloudWatch Logs
// metric filter matching root user activity, or unauthorised API calls
// (UnauthorizedOperation, AccessDenied), whose metric has a notifying
// alarm (see CloudWatchAlarms), as in the CIS AWS Foundations Benchmark
// monitoring section.
//
// AWS API docs: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeMetricFilters.html,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
// Operations: logs:DescribeMetricFilters, cloudwatch:DescribeAlarms,
// sns:ListSubscriptionsByTopic.
type SecurityAlarms struct{ s *Source }

// SecurityAlarmsType is the resource type of the security alarms of a
// region.
const SecurityAlarmsType = "aws.cloudwatch.security_alarms"

func (c *SecurityAlarms) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *SecurityAlarms) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.cloudwatch.security_alarms", Version: 1, Source: SourceName, Title: "Alarms on root login and unauthorised API calls",
		ResourceTypes: []collectors.ResourceType{{Name: SecurityAlarmsType, Doc: "The security event alarms of one account and region.", Attributes: []collectors.Attribute{
			{Name: "metric_filters", Type: "int", Doc: "Number of CloudWatch Logs metric filters in the region."},
			{Name: "root_login_alarm", Type: "bool", Doc: `A metric filter matches root user activity ($.userIdentity.type = "Root") and a notifying alarm watches its metric.`},
			{Name: "unauthorized_calls_alarm", Type: "bool", Doc: "A metric filter matches UnauthorizedOperation or AccessDenied errors and a notifying alarm watches its metric."},
		}}},
		Permissions: []string{"logs:DescribeMetricFilters", "cloudwatch:DescribeAlarms", "sns:ListSubscriptionsByTopic"},
	}
}

// Collect reads the metric filters and alarms of target's region.
func (c *SecurityAlarms) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	ctx, trace := collectors.WithTrace(ctx)
	var filters []logtypes.MetricFilter
	p := cloudwatchlogs.NewDescribeMetricFiltersPaginator(cloudwatchlogs.NewFromConfig(cfg), &cloudwatchlogs.DescribeMetricFiltersInput{Limit: awssdk.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws logs DescribeMetricFilters: %w", apiError("logs:DescribeMetricFilters", err))
		}
		filters = append(filters, page.MetricFilters...)
	}
	r := evidence.Resource{Type: SecurityAlarmsType, ID: fmt.Sprintf("arn:aws:cloudwatch:%s:%s:security-alarms", target.Region, target.Account),
		Name: "Security alarms " + target.Region, Account: target.Account, Region: target.Region,
		Attributes: map[string]any{"metric_filters": len(filters)}}
	var alarms []cwtypes.MetricAlarm
	var subscribed map[string]bool
	var errs map[string]error
	if len(filters) > 0 {
		if alarms, err = describeAlarms(ctx, cfg); err != nil {
			return err
		}
		subscribed, errs = c.s.topicsSubscribed(ctx, cfg, alarms)
		if err := cancelled(ctx, "sns ListSubscriptionsByTopic"); err != nil {
			return err
		}
	}
	for _, check := range []struct {
		attr  string
		match func(string) bool
	}{{"root_login_alarm", rootPattern}, {"unauthorized_calls_alarm", unauthorizedPattern}} {
		attr := check.attr
		found, err := watched(filters, check.match, alarms, subscribed, errs)
		if err != nil {
			fail(out, &r, err, attr)
			continue
		}
		r.Attributes[attr] = found
	}
	r.Records = trace.Records()
	out.Emit(r)
	return nil
}

// compact removes white space from a filter pattern.
func compact(p string) string { return strings.Join(strings.Fields(p), "") }

// rootPattern reports whether a filter pattern matches root user activity.
func rootPattern(p string) bool { return strings.Contains(compact(p), `$.userIdentity.type="Root"`) }

// unauthorizedPattern reports whether a filter pattern matches
// unauthorised API calls.
func unauthorizedPattern(p string) bool {
	c := compact(p)
	return strings.Contains(c, "$.errorCode") && (strings.Contains(c, "UnauthorizedOperation") || strings.Contains(c, "AccessDenied"))
}

// watched reports whether a filter matching match feeds a metric that a
// notifying alarm watches.
func watched(filters []logtypes.MetricFilter, match func(string) bool, alarms []cwtypes.MetricAlarm, subscribed map[string]bool, errs map[string]error) (bool, error) {
	var firstErr error
	for _, f := range filters {
		if !match(awssdk.ToString(f.FilterPattern)) {
			continue
		}
		for _, t := range f.MetricTransformations {
			for _, a := range alarms {
				if awssdk.ToString(a.Namespace) != awssdk.ToString(t.MetricNamespace) || awssdk.ToString(a.MetricName) != awssdk.ToString(t.MetricName) {
					continue
				}
				n, err := notifies(a, subscribed, errs)
				if n {
					return true, nil
				}
				if err != nil && firstErr == nil {
					firstErr = err
				}
			}
		}
	}
	return false, firstErr
}
