package aws

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

// resourceAlarms is a region with three DB instances (one in an Aurora
// cluster), an application, a network and a gateway load balancer, and
// alarms that watch some of them: with and without actions, on the
// cluster, with an extra TargetGroup dimension, as metric math, in the
// wrong namespace, and in another region.
func resourceAlarms() *awsfake.State {
	const r, us = "eu-central-1", "us-east-1"
	topic := []string{awsfake.TopicARN(r, testAccount, "oncall")}
	web := awsfake.LoadBalancerDimension("application", "web")
	edge := awsfake.LoadBalancerDimension("network", "edge")
	db := func(id string) []awsfake.Dimension {
		return []awsfake.Dimension{{Name: "DBInstanceIdentifier", Value: id}}
	}
	return &awsfake.State{
		DBInstances: []awsfake.DBInstance{
			{ID: "orders", Region: r, Engine: "postgres"},
			{ID: "aurora-1", Region: r, Engine: "aurora-postgresql", Cluster: "aurora"},
			{ID: "reports", Region: r, Engine: "mysql"},
			{ID: "us-db", Region: us, Engine: "mysql"},
		},
		LoadBalancers: []awsfake.LoadBalancer{
			{Name: "web", Region: r, Type: "application"},
			{Name: "edge", Region: r, Type: "network"},
			{Name: "inspection", Region: r, Type: "gateway"},
		},
		Monitoring: awsfake.Monitoring{Alarms: []awsfake.Alarm{
			{Name: "orders-cpu", Region: r, Namespace: "AWS/RDS", Metric: "CPUUtilization", Dimensions: db("orders"), Actions: topic},
			{Name: "orders-storage", Region: r, Namespace: "AWS/RDS", Metric: "FreeStorageSpace", Dimensions: db("orders"), Actions: topic, ActionsOff: true},
			{Name: "orders-latency", Region: r, Namespace: "AWS/RDS", Metric: "ReadLatency", Dimensions: db("orders")},
			{Name: "aurora-cpu", Region: r, Namespace: "AWS/RDS", Metric: "CPUUtilization",
				Dimensions: []awsfake.Dimension{{Name: "DBClusterIdentifier", Value: "aurora"}}, Actions: topic},
			{Name: "reports-wrong-namespace", Region: r, Namespace: "Custom/Reports", Metric: "CPUUtilization", Dimensions: db("reports"), Actions: topic},
			{Name: "web-target-5xx", Region: r, Namespace: "AWS/ApplicationELB", Metric: "HTTPCode_Target_5XX_Count", Actions: topic,
				Dimensions: []awsfake.Dimension{{Name: "TargetGroup", Value: "targetgroup/web/73e2d6bc24d8a067"}, {Name: "LoadBalancer", Value: web}}},
			{Name: "edge-unhealthy", Region: r, Actions: topic, Math: []awsfake.AlarmMetric{
				{Namespace: "AWS/NetworkELB", Metric: "UnHealthyHostCount", Dimensions: []awsfake.Dimension{{Name: "LoadBalancer", Value: edge}}},
				{Namespace: "AWS/NetworkELB", Metric: "HealthyHostCount", Dimensions: []awsfake.Dimension{{Name: "LoadBalancer", Value: edge}}},
			}},
			{Name: "us-db-cpu", Region: us, Namespace: "AWS/RDS", Metric: "CPUUtilization", Dimensions: db("orders"), Actions: topic},
		}},
	}
}

func TestResourceAlarms(t *testing.T) {
	t.Parallel()
	const c, r = "aws.cloudwatch.resource_alarms", "eu-central-1"
	names := []string{"web", "edge", "aurora-1", "orders", "reports"}
	web := map[string]any{"resource_kind": "application_load_balancer", "alarms": 1, "alarms_with_actions": 1, "watched_metrics": []any{"HTTPCode_Target_5XX_Count"}}
	runCases(t, []caseTest{
		{name: "happy", collector: c, region: r, typ: ResourceAlarmsType, state: resourceAlarms, wantNames: names, wantAttrs: web,
			wantCalls: map[string]int{"rds:DescribeDBInstances": 1, "elasticloadbalancing:DescribeLoadBalancers": 1, "monitoring:DescribeAlarms": 1}},
		{name: "two pages", collector: c, region: r, typ: ResourceAlarmsType,
			state: func() *awsfake.State {
				st := resourceAlarms()
				st.PageSize = 2
				return st
			},
			wantNames: names, wantAttrs: web,
			wantCalls: map[string]int{"rds:DescribeDBInstances": 2, "elasticloadbalancing:DescribeLoadBalancers": 2, "monitoring:DescribeAlarms": 4}},
		{name: "no alarms", collector: c, region: r, typ: ResourceAlarmsType,
			state: func() *awsfake.State {
				st := resourceAlarms()
				st.Monitoring.Alarms = nil
				return st
			},
			wantNames: names, wantAttrs: map[string]any{"resource_kind": "application_load_balancer", "alarms": 0, "alarms_with_actions": 0, "watched_metrics": []any{}}},
		{name: "empty", collector: c, region: r, typ: ResourceAlarmsType,
			state: func() *awsfake.State {
				st := resourceAlarms()
				st.DBInstances, st.LoadBalancers = nil, nil
				return st
			},
			wantCalls: map[string]int{"rds:DescribeDBInstances": 1, "elasticloadbalancing:DescribeLoadBalancers": 1, "monitoring:DescribeAlarms": 0}},
		{name: "databases denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(resourceAlarms(), "rds:DescribeDBInstances", "AccessDenied", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "rds:DescribeDBInstances"},
		{name: "load balancers denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(resourceAlarms(), "elasticloadbalancing:DescribeLoadBalancers", "AccessDenied", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "elasticloadbalancing:DescribeLoadBalancers"},
		{name: "alarms denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(resourceAlarms(), "monitoring:DescribeAlarms", "AccessDenied", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "cloudwatch:DescribeAlarms"},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(resourceAlarms(), "monitoring:DescribeAlarms", "Throttling", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"monitoring:DescribeAlarms": 2}},
		{name: "cancelled listing", collector: c, region: r, state: resourceAlarms, block: "elasticloadbalancing:DescribeLoadBalancers"},
		{name: "cancelled alarms", collector: c, region: r, state: resourceAlarms, block: "monitoring:DescribeAlarms"},
	})
}

// TestResourceAlarmsMatching checks every resource of resourceAlarms: the
// alarms that watch it and the metrics watched by an alarm with actions.
func TestResourceAlarmsMatching(t *testing.T) {
	t.Parallel()
	st := resourceAlarms()
	st.AccountID = testAccount
	out, err := collect(t.Context(), t, newFakeSource(t, st), "aws.cloudwatch.resource_alarms", "eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(out.failures) > 0 {
		t.Errorf("failures: %v", out.failures)
	}
	got := map[string]map[string]any{}
	for _, r := range out.resources {
		got[r.Name] = r.Attributes
	}
	list := func(ms ...string) []any {
		out := []any{}
		for _, m := range ms {
			out = append(out, m)
		}
		return out
	}
	want := map[string]map[string]any{
		// CPU notifies; storage has actions disabled and latency none.
		"orders": {"resource_kind": "db_instance", "alarms": 3, "alarms_with_actions": 1, "watched_metrics": list("CPUUtilization")},
		// The cluster's alarm counts for its instance.
		"aurora-1": {"resource_kind": "db_instance", "alarms": 1, "alarms_with_actions": 1, "watched_metrics": list("CPUUtilization")},
		// An alarm outside AWS/RDS does not watch the instance.
		"reports": {"resource_kind": "db_instance", "alarms": 0, "alarms_with_actions": 0, "watched_metrics": list()},
		"web":     {"resource_kind": "application_load_balancer", "alarms": 1, "alarms_with_actions": 1, "watched_metrics": list("HTTPCode_Target_5XX_Count")},
		// Both metrics of the metric math alarm are watched.
		"edge": {"resource_kind": "network_load_balancer", "alarms": 1, "alarms_with_actions": 1, "watched_metrics": list("HealthyHostCount", "UnHealthyHostCount")},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attributes by resource (-want +got):\n%s", diff)
	}
	checkDescribed(t, &ResourceAlarms{}, out.resources)
}

func TestResourceAlarmsFixtures(t *testing.T) {
	t.Parallel()
	src := newFixtureSource(t, map[string]route{
		"rds:DescribeDBInstances":                    {file: "rds/DescribeDBInstances.xml"},
		"elasticloadbalancing:DescribeLoadBalancers": {file: "elbv2/DescribeLoadBalancers.xml"},
		"monitoring:DescribeAlarms":                  {file: "cloudwatch/DescribeAlarms_resources.json"},
	})
	out, err := collect(t.Context(), t, src, "aws.cloudwatch.resource_alarms", "eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	for i := range out.resources {
		out.resources[i].Records = nil
	}
	want := []evidence.Resource{
		{Type: ResourceAlarmsType, ID: "arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/my-load-balancer/50dc6c495c0c9188",
			Name: "my-load-balancer", Account: testAccount, Region: "eu-central-1", Attributes: map[string]any{
				"resource_kind": "application_load_balancer", "alarms": 2, "alarms_with_actions": 1, "watched_metrics": []any{"HTTPCode_Target_5XX_Count"}}},
		{Type: ResourceAlarmsType, ID: "arn:aws:rds:eu-central-1:123456789012:db:mydbinstance", Name: "mydbinstance", Account: testAccount, Region: "eu-central-1",
			Attributes: map[string]any{"resource_kind": "db_instance", "alarms": 1, "alarms_with_actions": 1, "watched_metrics": []any{"CPUUtilization"}}},
	}
	if diff := cmp.Diff(want, out.resources); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
}
