package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// ResourceAlarms collects, for every RDS DB instance and every application
// and network load balancer of a region, the CloudWatch metric alarms that
// watch one of its metrics, and which of its metrics are watched by an
// alarm that has an action.
//
// An alarm watches a resource when its metric, or one of the metrics of a
// metric math alarm, is in the resource's namespace and has the resource's
// dimension among its dimensions: DBInstanceIdentifier (AWS/RDS) for a DB
// instance, or DBClusterIdentifier for an instance of that cluster;
// LoadBalancer ("app/<name>/<id>" in AWS/ApplicationELB, "net/<name>/<id>"
// in AWS/NetworkELB) for a load balancer, alone or with TargetGroup or
// AvailabilityZone. Gateway load balancers are not listed. The controls
// decide which metrics matter; whether an action's SNS topic has a
// confirmed subscriber is aws.cloudwatch.alarms' evidence.
//
// The calls do not grow with the resources: one listing of the DB
// instances, one of the load balancers and, when there is something to
// watch, one of the region's alarms, each paginated.
//
// AWS API docs: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/aws-services-cloudwatch-metrics.html
// Operations: rds:DescribeDBInstances,
// elasticloadbalancing:DescribeLoadBalancers, cloudwatch:DescribeAlarms.
type ResourceAlarms struct{ s *Source }

// ResourceAlarmsType is the resource type of the alarms of one database or
// load balancer.
const ResourceAlarmsType = "aws.cloudwatch.resource_alarms"

// Resource kinds of ResourceAlarmsType.
const (
	kindDBInstance = "db_instance"
	kindALB        = "application_load_balancer"
	kindNLB        = "network_load_balancer"
)

func (c *ResourceAlarms) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *ResourceAlarms) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.cloudwatch.resource_alarms", Version: 1, Source: SourceName, Title: "CloudWatch alarms per database and load balancer",
		ResourceTypes: []collectors.ResourceType{{Name: ResourceAlarmsType,
			Doc: "The CloudWatch alarms of one RDS DB instance or application or network load balancer. ID is the instance or load balancer ARN.",
			Attributes: []collectors.Attribute{
				{Name: "resource_kind", Type: "string", Doc: `"db_instance", "application_load_balancer" or "network_load_balancer".`},
				{Name: "alarms", Type: "int", Doc: "Number of metric alarms that watch a metric of the resource, whatever their actions."},
				{Name: "alarms_with_actions", Type: "int", Doc: "Number of those alarms whose actions are enabled and that have at least one alarm action."},
				{Name: "watched_metrics", Type: "list", Doc: `Names of the resource's metrics that an alarm with actions watches, sorted, e.g. ["CPUUtilization", "FreeStorageSpace"].`},
			}}},
		Permissions: []string{"rds:DescribeDBInstances", "elasticloadbalancing:DescribeLoadBalancers", "cloudwatch:DescribeAlarms"},
	}
}

// dimKey identifies the metrics of one resource: a namespace and one
// dimension's name and value.
type dimKey struct{ namespace, name, value string }

// watchedResource is a resource and the dimensions that select its
// metrics.
type watchedResource struct {
	res  evidence.Resource
	keys []dimKey
}

// alarmWatch is one alarm watching a metric of some resource.
type alarmWatch struct {
	alarm  int
	metric string
}

// Collect lists the databases and load balancers of target's region and
// matches the region's metric alarms to them.
func (c *ResourceAlarms) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	ctx, trace := collectors.WithTrace(ctx)
	ws, err := watchedResources(ctx, cfg, target)
	if err != nil {
		return err
	}
	if len(ws) == 0 {
		return nil
	}
	alarms, err := describeAlarms(ctx, cfg)
	if err != nil {
		return err
	}
	index := alarmIndex(alarms)
	records := trace.Records()
	rs := make([]evidence.Resource, 0, len(ws))
	for _, w := range ws {
		watching := map[int]bool{}
		watched := []string{}
		for _, k := range w.keys {
			for _, aw := range index[k] {
				watching[aw.alarm] = true
				if hasActions(alarms[aw.alarm]) && !slices.Contains(watched, aw.metric) {
					watched = append(watched, aw.metric)
				}
			}
		}
		withActions := 0
		for i := range watching {
			if hasActions(alarms[i]) {
				withActions++
			}
		}
		slices.Sort(watched)
		list := make([]any, len(watched))
		for i, m := range watched {
			list[i] = m
		}
		r := w.res
		r.Attributes["alarms"] = len(watching)
		r.Attributes["alarms_with_actions"] = withActions
		r.Attributes["watched_metrics"] = list
		r.Records = records
		rs = append(rs, r)
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}

// watchedResources lists the databases and load balancers of target's
// region with the metric dimensions an alarm on each would name.
func watchedResources(ctx context.Context, cfg awssdk.Config, target evidence.Target) ([]watchedResource, error) {
	newRes := func(arn, name, kind string, keys ...dimKey) watchedResource {
		return watchedResource{res: evidence.Resource{Type: ResourceAlarmsType, ID: arn, Name: name, Account: target.Account, Region: target.Region,
			Attributes: map[string]any{"resource_kind": kind}}, keys: keys}
	}
	var ws []watchedResource
	pi := rds.NewDescribeDBInstancesPaginator(rds.NewFromConfig(cfg), &rds.DescribeDBInstancesInput{MaxRecords: awssdk.Int32(100)})
	for pi.HasMorePages() {
		page, err := pi.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("aws rds DescribeDBInstances: %w", apiError("rds:DescribeDBInstances", err))
		}
		for _, d := range page.DBInstances {
			id := awssdk.ToString(d.DBInstanceIdentifier)
			keys := []dimKey{{"AWS/RDS", "DBInstanceIdentifier", id}}
			if cl := awssdk.ToString(d.DBClusterIdentifier); cl != "" {
				keys = append(keys, dimKey{"AWS/RDS", "DBClusterIdentifier", cl})
			}
			ws = append(ws, newRes(awssdk.ToString(d.DBInstanceArn), id, kindDBInstance, keys...))
		}
	}
	pl := elbv2.NewDescribeLoadBalancersPaginator(elbv2.NewFromConfig(cfg), &elbv2.DescribeLoadBalancersInput{PageSize: awssdk.Int32(400)})
	for pl.HasMorePages() {
		page, err := pl.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("aws elasticloadbalancing DescribeLoadBalancers: %w", apiError("elasticloadbalancing:DescribeLoadBalancers", err))
		}
		for _, lb := range page.LoadBalancers {
			arn := awssdk.ToString(lb.LoadBalancerArn)
			_, dim, _ := strings.Cut(arn, ":loadbalancer/")
			switch lb.Type {
			case elbtypes.LoadBalancerTypeEnumApplication:
				ws = append(ws, newRes(arn, awssdk.ToString(lb.LoadBalancerName), kindALB, dimKey{"AWS/ApplicationELB", "LoadBalancer", dim}))
			case elbtypes.LoadBalancerTypeEnumNetwork:
				ws = append(ws, newRes(arn, awssdk.ToString(lb.LoadBalancerName), kindNLB, dimKey{"AWS/NetworkELB", "LoadBalancer", dim}))
			}
		}
	}
	return ws, nil
}

// hasActions reports whether alarm a runs an action when it fires: its
// actions are enabled and it has at least one alarm action.
func hasActions(a cwtypes.MetricAlarm) bool {
	return awssdk.ToBool(a.ActionsEnabled) && len(a.AlarmActions) > 0
}

// alarmIndex maps each namespace and dimension to the alarms watching a
// metric with that dimension: the alarm's own metric, and the metrics of a
// metric math alarm.
func alarmIndex(alarms []cwtypes.MetricAlarm) map[dimKey][]alarmWatch {
	index := map[dimKey][]alarmWatch{}
	add := func(i int, namespace, metric string, dims []cwtypes.Dimension) {
		for _, d := range dims {
			k := dimKey{namespace, awssdk.ToString(d.Name), awssdk.ToString(d.Value)}
			index[k] = append(index[k], alarmWatch{alarm: i, metric: metric})
		}
	}
	for i, a := range alarms {
		if a.MetricName != nil {
			add(i, awssdk.ToString(a.Namespace), awssdk.ToString(a.MetricName), a.Dimensions)
		}
		for _, q := range a.Metrics {
			if q.MetricStat != nil && q.MetricStat.Metric != nil {
				m := q.MetricStat.Metric
				add(i, awssdk.ToString(m.Namespace), awssdk.ToString(m.MetricName), m.Dimensions)
			}
		}
	}
	return index
}
