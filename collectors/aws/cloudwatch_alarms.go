package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// CloudWatchAlarms collects the CloudWatch metric alarms of a region and
// whether each notifies someone: its actions are enabled and it has an
// action that is not an SNS topic, or an SNS topic with a confirmed
// subscription.
//
// AWS API docs: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html,
// https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html
// Operations: cloudwatch:DescribeAlarms, sns:ListSubscriptionsByTopic (once
// per distinct topic, until a confirmed subscription is found).
type CloudWatchAlarms struct{ s *Source }

// AlarmType is the resource type of a CloudWatch metric alarm.
const AlarmType = "aws.cloudwatch.alarm"

func (c *CloudWatchAlarms) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *CloudWatchAlarms) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.cloudwatch.alarms", Version: 1, Source: SourceName, Title: "CloudWatch alarms and their notifications",
		ResourceTypes: []collectors.ResourceType{{Name: AlarmType, Doc: "A CloudWatch metric alarm. ID is the alarm ARN.", Attributes: []collectors.Attribute{
			{Name: "namespace", Type: "string", Doc: `Metric namespace, e.g. "AWS/RDS" or "AWS/ApplicationELB"; "" for metric math alarms.`},
			{Name: "metric", Type: "string", Doc: `Metric name, e.g. "CPUUtilization" or "HTTPCode_ELB_5XX_Count".`},
			{Name: "state", Type: "string", Doc: `"OK", "ALARM" or "INSUFFICIENT_DATA".`},
			{Name: "actions_enabled", Type: "bool", Doc: "The alarm's actions are enabled."},
			{Name: "alarm_actions", Type: "int", Doc: "Number of actions run when the alarm fires."},
			{Name: "notifies", Type: "bool", Doc: "Actions are enabled and one is not an SNS topic, or is an SNS topic with a confirmed subscription."},
		}}},
		Permissions: []string{"cloudwatch:DescribeAlarms", "sns:ListSubscriptionsByTopic"},
	}
}

// Collect lists the alarms of target's region and checks their topics.
func (c *CloudWatchAlarms) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	alarms, err := describeAlarms(ctx, cfg)
	if err != nil {
		return err
	}
	subscribed, errs := c.s.topicsSubscribed(ctx, cfg, alarms)
	if err := cancelled(ctx, "sns ListSubscriptionsByTopic"); err != nil {
		return err
	}
	var rs []evidence.Resource
	for _, a := range alarms {
		r := evidence.Resource{Type: AlarmType, ID: awssdk.ToString(a.AlarmArn), Name: awssdk.ToString(a.AlarmName),
			Account: target.Account, Region: target.Region, Attributes: map[string]any{
				"namespace": awssdk.ToString(a.Namespace), "metric": awssdk.ToString(a.MetricName), "state": string(a.StateValue),
				"actions_enabled": awssdk.ToBool(a.ActionsEnabled), "alarm_actions": len(a.AlarmActions),
			}}
		if n, err := notifies(a, subscribed, errs); err != nil {
			fail(out, &r, err, "notifies")
		} else {
			r.Attributes["notifies"] = n
		}
		rs = append(rs, r)
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}

// describeAlarms lists the metric alarms of cfg's region.
func describeAlarms(ctx context.Context, cfg awssdk.Config) ([]cwtypes.MetricAlarm, error) {
	var alarms []cwtypes.MetricAlarm
	p := cloudwatch.NewDescribeAlarmsPaginator(cloudwatch.NewFromConfig(cfg), &cloudwatch.DescribeAlarmsInput{
		MaxRecords: awssdk.Int32(100), AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("aws cloudwatch DescribeAlarms: %w", apiError("cloudwatch:DescribeAlarms", err))
		}
		alarms = append(alarms, page.MetricAlarms...)
	}
	return alarms, nil
}

// isTopic reports whether an alarm action is an SNS topic.
func isTopic(action string) bool {
	return strings.HasPrefix(action, "arn:") && strings.Contains(action, ":sns:")
}

// topicsSubscribed reports, for every SNS topic among the actions of
// alarms, whether it has a confirmed subscription, or the error that kept
// it from being read.
func (s *Source) topicsSubscribed(ctx context.Context, cfg awssdk.Config, alarms []cwtypes.MetricAlarm) (map[string]bool, map[string]error) {
	var topics []string
	for _, a := range alarms {
		for _, act := range a.AlarmActions {
			if isTopic(act) && !slices.Contains(topics, act) {
				topics = append(topics, act)
			}
		}
	}
	slices.Sort(topics)
	ok := make([]bool, len(topics))
	errs := make([]error, len(topics))
	cl := sns.NewFromConfig(cfg)
	err := collectors.ForEach(ctx, s.cfg.concurrency(), len(topics), func(ctx context.Context, i int) {
		p := sns.NewListSubscriptionsByTopicPaginator(cl, &sns.ListSubscriptionsByTopicInput{TopicArn: awssdk.String(topics[i])})
		for p.HasMorePages() && !ok[i] {
			page, err := p.NextPage(ctx)
			if err != nil {
				if isCode(err, "NotFound") {
					return
				}
				errs[i] = apiError("sns:ListSubscriptionsByTopic", fmt.Errorf("aws sns ListSubscriptionsByTopic %s: %w", topics[i], err))
				return
			}
			for _, sub := range page.Subscriptions {
				if arn := awssdk.ToString(sub.SubscriptionArn); strings.HasPrefix(arn, "arn:") {
					ok[i] = true
				}
			}
		}
	})
	if err != nil {
		// A topic whose call never started (the run was cancelled) is
		// unknown, not unsubscribed.
		for i := range topics {
			if errs[i] == nil && !ok[i] {
				errs[i] = fmt.Errorf("aws sns ListSubscriptionsByTopic %s: %w", topics[i], err)
			}
		}
	}
	subscribed, failed := map[string]bool{}, map[string]error{}
	for i, t := range topics {
		if errs[i] != nil {
			failed[t] = errs[i]
			continue
		}
		subscribed[t] = ok[i]
	}
	return subscribed, failed
}

// notifies reports whether alarm a reaches someone when it fires.
func notifies(a cwtypes.MetricAlarm, subscribed map[string]bool, errs map[string]error) (bool, error) {
	if !awssdk.ToBool(a.ActionsEnabled) {
		return false, nil
	}
	var firstErr error
	for _, act := range a.AlarmActions {
		if !isTopic(act) || subscribed[act] {
			return true, nil
		}
		if err := errs[act]; err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return false, firstErr
}
