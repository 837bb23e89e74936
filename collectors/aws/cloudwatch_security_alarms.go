package aws

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// SecurityAlarms collects, per region, which classes of CloudTrail events
// raise an alarm that notifies someone: for each class of the CIS AWS
// Foundations Benchmark monitoring section (alarmChecks), whether a
// CloudWatch Logs metric filter matching it feeds a metric that a
// notifying alarm watches (see CloudWatchAlarms).
//
// Filter patterns are read as text, with white space and quotes removed: a
// filter matches a class when its pattern holds each of the class's
// fragments (one alternative of each group) and names every event of the
// class as "$.eventName=<name>". How the pattern combines its terms (&&,
// ||) is not evaluated.
//
// AWS API docs: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeMetricFilters.html,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
// Operations: logs:DescribeMetricFilters, cloudwatch:DescribeAlarms,
// sns:ListSubscriptionsByTopic.
type SecurityAlarms struct{ s *Source }

// SecurityAlarmsType is the resource type of the security alarms of a
// region.
const SecurityAlarmsType = "aws.cloudwatch.security_alarms"

// An alarmCheck is a class of CloudTrail events that the CIS AWS
// Foundations Benchmark (section 4 of v1.4 to v3.0, "Monitoring") wants
// an alarm on.
type alarmCheck struct {
	// name is the class's value in alarmed_events.
	name string
	// attr is the class's own boolean attribute, "" for none.
	attr string
	// all are groups of pattern fragments: the normalised pattern holds
	// at least one fragment of every group.
	all [][]string
	// events are the event names the pattern must name, every one.
	events []string
}

// alarmChecks are the CIS monitoring event classes, in benchmark order.
var alarmChecks = []alarmCheck{
	{name: "unauthorized_api_calls", attr: "unauthorized_calls_alarm", all: [][]string{{"$.errorCode="}, {"UnauthorizedOperation", "AccessDenied"}}},
	{name: "console_signin_without_mfa", events: []string{"ConsoleLogin"}, all: [][]string{{"$.additionalEventData.MFAUsed!=Yes"}}},
	{name: "root_usage", attr: "root_login_alarm", all: [][]string{{"$.userIdentity.type=Root"}}},
	{name: "iam_policy_changes", events: []string{"DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
		"PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy",
		"AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"}},
	{name: "cloudtrail_changes", events: []string{"CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"}},
	{name: "console_auth_failures", events: []string{"ConsoleLogin"}, all: [][]string{{"$.errorMessage=Failedauthentication"}}},
	{name: "cmk_disable_or_deletion", events: []string{"DisableKey", "ScheduleKeyDeletion"}, all: [][]string{{"$.eventSource=kms.amazonaws.com"}}},
	{name: "s3_bucket_policy_changes", events: []string{"PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
		"DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"}},
	{name: "config_changes", events: []string{"StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"}},
	{name: "security_group_changes", events: []string{"AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
		"RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"}},
	{name: "nacl_changes", events: []string{"CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
		"ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"}},
	{name: "network_gateway_changes", events: []string{"CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway",
		"CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway"}},
	{name: "route_table_changes", events: []string{"CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation",
		"DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable"}},
	{name: "vpc_changes", events: []string{"CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection",
		"DeleteVpcPeeringConnection", "RejectVpcPeeringConnection"}},
	{name: "organizations_changes", events: []string{"AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy",
		"DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType",
		"EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization",
		"UpdatePolicy", "UpdateOrganizationalUnit"}, all: [][]string{{"$.eventSource=organizations.amazonaws.com"}}},
}

// alarmCheckNames are the names of alarmChecks, for the attribute docs.
func alarmCheckNames() string {
	names := make([]string, len(alarmChecks))
	for i, c := range alarmChecks {
		names[i] = `"` + c.name + `"`
	}
	return strings.Join(names, ", ")
}

func (c *SecurityAlarms) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *SecurityAlarms) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.cloudwatch.security_alarms", Version: 2, Source: SourceName, Title: "Alarms on CloudTrail security events (CIS monitoring)",
		ResourceTypes: []collectors.ResourceType{{Name: SecurityAlarmsType, Doc: "The security event alarms of one account and region.", Attributes: []collectors.Attribute{
			{Name: "metric_filters", Type: "int", Doc: "Number of CloudWatch Logs metric filters in the region."},
			{Name: "root_login_alarm", Type: "bool", Doc: `A metric filter matches root user activity ($.userIdentity.type = "Root") and a notifying alarm watches its metric.`},
			{Name: "unauthorized_calls_alarm", Type: "bool", Doc: "A metric filter matches UnauthorizedOperation or AccessDenied errors and a notifying alarm watches its metric."},
			{Name: "alarmed_events", Type: "list", Doc: "The CIS monitoring event classes (of " + alarmCheckNames() + ") that a metric filter matches and a notifying alarm watches, in that order. A filter matches a class when its pattern names every event of the class (and its other fragments); the pattern's logic is not evaluated."},
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
	alarmed := []string{}
	var unknown []string
	var firstErr error
	for _, check := range alarmChecks {
		found, err := watched(filters, check.matches, alarms, subscribed, errs)
		switch {
		case err != nil:
			unknown = append(unknown, check.attr)
			firstErr = cmp.Or(firstErr, err)
		case check.attr != "":
			r.Attributes[check.attr] = found
		}
		if found {
			alarmed = append(alarmed, check.name)
		}
	}
	if firstErr != nil {
		attrs := []string{"alarmed_events"}
		for _, a := range unknown {
			if a != "" {
				attrs = append(attrs, a)
			}
		}
		fail(out, &r, firstErr, attrs...)
	} else {
		r.Attributes["alarmed_events"] = stringList(alarmed)
	}
	r.Records = trace.Records()
	out.Emit(r)
	return nil
}

// eventNameRE finds the event names a normalised pattern compares
// $.eventName with.
var eventNameRE = regexp.MustCompile(`\$\.eventName=([A-Za-z0-9_*]+)`)

// normalise removes white space and double quotes from a filter pattern.
func normalise(p string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(p), ""), `"`, "")
}

// matches reports whether a filter pattern matches the check's class.
func (c alarmCheck) matches(pattern string) bool {
	n := normalise(pattern)
	for _, group := range c.all {
		if !slices.ContainsFunc(group, func(f string) bool { return strings.Contains(n, f) }) {
			return false
		}
	}
	if len(c.events) == 0 {
		return true
	}
	named := map[string]bool{}
	for _, m := range eventNameRE.FindAllStringSubmatch(n, -1) {
		named[m[1]] = true
	}
	for _, e := range c.events {
		if !named[e] {
			return false
		}
	}
	return true
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
