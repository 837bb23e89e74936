package aws

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

// TestFixturesMonitoring runs the monitoring collectors against responses
// shaped like the AWS API reference examples (see testdata/README.md).
func TestFixturesMonitoring(t *testing.T) {
	t.Parallel()
	const r = "eu-central-1"
	tests := []struct {
		name      string
		collector string
		routes    map[string]route
		want      []evidence.Resource
	}{
		{
			name: "alarms", collector: "aws.cloudwatch.alarms",
			routes: map[string]route{
				"monitoring:DescribeAlarms":    {file: "cloudwatch/DescribeAlarms.json"},
				"sns:ListSubscriptionsByTopic": {file: "sns/ListSubscriptionsByTopic.xml"},
			},
			want: []evidence.Resource{
				{Type: AlarmType, ID: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:RootAccountUsage", Name: "RootAccountUsage", Account: testAccount, Region: r,
					Attributes: map[string]any{"namespace": "CloudTrailMetrics", "metric": "RootAccountUsageCount", "state": "INSUFFICIENT_DATA",
						"actions_enabled": true, "alarm_actions": 1, "notifies": true}},
				{Type: AlarmType, ID: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:awsrds-mydbinstance-High-CPU-Utilization", Name: "awsrds-mydbinstance-High-CPU-Utilization",
					Account: testAccount, Region: r, Attributes: map[string]any{"namespace": "AWS/RDS", "metric": "CPUUtilization", "state": "OK",
						"actions_enabled": true, "alarm_actions": 1, "notifies": true}},
			},
		},
		{
			name: "security alarms", collector: "aws.cloudwatch.security_alarms",
			routes: map[string]route{
				"logs:DescribeMetricFilters":   {file: "logs/DescribeMetricFilters.json"},
				"monitoring:DescribeAlarms":    {file: "cloudwatch/DescribeAlarms.json"},
				"sns:ListSubscriptionsByTopic": {file: "sns/ListSubscriptionsByTopic.xml"},
			},
			want: []evidence.Resource{{Type: SecurityAlarmsType, ID: "arn:aws:cloudwatch:eu-central-1:123456789012:security-alarms", Name: "Security alarms eu-central-1",
				Account: testAccount, Region: r, Attributes: map[string]any{"metric_filters": 2, "root_login_alarm": true, "unauthorized_calls_alarm": false,
					"alarmed_events": []any{"root_usage"}}}},
		},
		{
			name: "config", collector: "aws.config",
			routes: map[string]route{
				"config:DescribeConfigurationRecorders":      {file: "config/DescribeConfigurationRecorders.json"},
				"config:DescribeConfigurationRecorderStatus": {file: "config/DescribeConfigurationRecorderStatus.json"},
			},
			want: []evidence.Resource{{Type: ConfigRecorderType, ID: "arn:aws:config:eu-central-1:123456789012:configuration-recorders", Name: "AWS Config eu-central-1",
				Account: testAccount, Region: r, Attributes: map[string]any{"present": true, "recording": true, "all_supported": true}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := newFixtureSource(t, tt.routes)
			out, err := collect(t.Context(), t, src, tt.collector, r)
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if len(out.failures) > 0 {
				t.Errorf("failures: %v", out.failures)
			}
			for i := range out.resources {
				out.resources[i].Records = nil
			}
			if diff := cmp.Diff(tt.want, out.resources); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
		})
	}
}

func monitoring() *awsfake.State {
	const r = "eu-central-1"
	topic := awsfake.TopicARN(r, testAccount, "oncall")
	silent := awsfake.TopicARN(r, testAccount, "nobody")
	return &awsfake.State{Monitoring: awsfake.Monitoring{
		Alarms: []awsfake.Alarm{
			{Name: "db-cpu", Region: r, Namespace: "AWS/RDS", Metric: "CPUUtilization", Actions: []string{topic}, StateUpdatedAt: t0},
			{Name: "db-storage", Region: r, Namespace: "AWS/RDS", Metric: "FreeStorageSpace", Actions: []string{silent}},
			{Name: "lb-5xx", Region: r, Namespace: "AWS/ApplicationELB", Metric: "HTTPCode_ELB_5XX_Count", Actions: []string{topic}, ActionsOff: true},
			{Name: "root-login", Region: r, Namespace: "CISBenchmark", Metric: "RootLogin", Actions: []string{topic, silent}},
			{Name: "unauthorized", Region: r, Namespace: "CISBenchmark", Metric: "Unauthorized", Actions: []string{silent}},
		},
		MetricFilters: []awsfake.MetricFilter{
			{Name: "root", Region: r, LogGroup: "trail", Pattern: `{$.userIdentity.type="Root"}`, Namespace: "CISBenchmark", Metric: "RootLogin"},
			{Name: "unauth", Region: r, LogGroup: "trail", Pattern: `{ $.errorCode = "AccessDenied*" }`, Namespace: "CISBenchmark", Metric: "Unauthorized"},
			{Name: "other", Region: r, LogGroup: "app", Pattern: `ERROR`, Namespace: "App", Metric: "Errors"},
		},
		Topics: []awsfake.Topic{
			{Name: "oncall", Region: r, Subscribers: []string{"oncall@example.com"}, Pending: []string{"new@example.com"}},
			{Name: "nobody", Region: r, Pending: []string{"someone@example.com"}},
		},
		Recorders: []awsfake.Recorder{{Name: "default", Region: r, AllSupported: true, Recording: true}},
	}}
}

func TestCloudWatchAlarms(t *testing.T) {
	t.Parallel()
	const c, r = "aws.cloudwatch.alarms", "eu-central-1"
	runCases(t, []caseTest{
		{name: "two pages", collector: c, region: r, typ: AlarmType,
			state: func() *awsfake.State {
				st := monitoring()
				st.PageSize = 3
				return st
			},
			wantNames: []string{"db-cpu", "db-storage", "lb-5xx", "root-login", "unauthorized"},
			wantAttrs: map[string]any{"namespace": "AWS/RDS", "metric": "CPUUtilization", "state": "OK", "actions_enabled": true, "alarm_actions": 1, "notifies": true},
			wantCalls: map[string]int{"monitoring:DescribeAlarms": 2, "sns:ListSubscriptionsByTopic": 2}},
		{name: "pending subscription only", collector: c, region: r, typ: AlarmType,
			state: func() *awsfake.State {
				st := monitoring()
				st.Monitoring.Alarms = st.Monitoring.Alarms[1:2]
				return st
			},
			wantNames: []string{"db-storage"}, wantAttrs: map[string]any{"notifies": false}},
		{name: "actions disabled", collector: c, region: r, typ: AlarmType,
			state: func() *awsfake.State {
				st := monitoring()
				st.Monitoring.Alarms = st.Monitoring.Alarms[2:3]
				return st
			},
			wantNames: []string{"lb-5xx"}, wantAttrs: map[string]any{"notifies": false, "actions_enabled": false},
			wantCalls: map[string]int{"sns:ListSubscriptionsByTopic": 1}},
		{name: "absent topic", collector: c, region: r, typ: AlarmType,
			state: func() *awsfake.State {
				st := monitoring()
				st.Monitoring.Alarms = st.Monitoring.Alarms[:1]
				st.Monitoring.Topics = nil
				return st
			},
			wantNames: []string{"db-cpu"}, wantAttrs: map[string]any{"notifies": false}},
		{name: "empty", collector: c, region: r, typ: AlarmType, state: func() *awsfake.State { return &awsfake.State{} }},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(monitoring(), "monitoring:DescribeAlarms", "AccessDenied", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "cloudwatch:DescribeAlarms"},
		{name: "subscriptions denied", collector: c, region: r, typ: AlarmType,
			state: func() *awsfake.State {
				st := monitoring()
				st.Monitoring.Alarms = st.Monitoring.Alarms[:1]
				return withFault(st, "sns:ListSubscriptionsByTopic", "AuthorizationError", http.StatusForbidden)
			},
			wantNames: []string{"db-cpu"}, wantGaps: map[string]evidence.FailureKind{"notifies": evidence.Denied}},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(monitoring(), "monitoring:DescribeAlarms", "Throttling", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"monitoring:DescribeAlarms": 2}},
		{name: "cancelled", collector: c, region: r, block: "sns:ListSubscriptionsByTopic",
			state: func() *awsfake.State {
				st := monitoring()
				st.Monitoring.Alarms = st.Monitoring.Alarms[:1]
				return st
			}},
	})
}

func TestSecurityAlarms(t *testing.T) {
	t.Parallel()
	const c, r = "aws.cloudwatch.security_alarms", "eu-central-1"
	runCases(t, []caseTest{
		{name: "two pages", collector: c, region: r, typ: SecurityAlarmsType,
			state: func() *awsfake.State {
				st := monitoring()
				st.PageSize = 2
				return st
			},
			wantNames: []string{"Security alarms eu-central-1"},
			wantAttrs: map[string]any{"metric_filters": 3, "root_login_alarm": true, "unauthorized_calls_alarm": false, "alarmed_events": []any{"root_usage"}},
			wantCalls: map[string]int{"logs:DescribeMetricFilters": 2, "monitoring:DescribeAlarms": 3}},
		{name: "no filters", collector: c, region: r, typ: SecurityAlarmsType, state: func() *awsfake.State { return &awsfake.State{} },
			wantNames: []string{"Security alarms eu-central-1"},
			wantAttrs: map[string]any{"metric_filters": 0, "root_login_alarm": false, "unauthorized_calls_alarm": false, "alarmed_events": []any{}},
			wantCalls: map[string]int{"monitoring:DescribeAlarms": 0}},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(monitoring(), "logs:DescribeMetricFilters", "AccessDeniedException", http.StatusBadRequest)
			},
			wantErr: evidence.Denied, wantPermission: "logs:DescribeMetricFilters"},
		{name: "alarms denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(monitoring(), "monitoring:DescribeAlarms", "AccessDenied", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "cloudwatch:DescribeAlarms"},
		{name: "subscriptions throttled", collector: c, region: r, typ: SecurityAlarmsType,
			state: func() *awsfake.State {
				st := monitoring()
				st.Monitoring.Alarms = st.Monitoring.Alarms[4:]
				return withFault(st, "sns:ListSubscriptionsByTopic", "Throttling", http.StatusBadRequest)
			},
			wantNames: []string{"Security alarms eu-central-1"},
			wantAttrs: map[string]any{"root_login_alarm": false},
			wantGaps:  map[string]evidence.FailureKind{"unauthorized_calls_alarm": evidence.Throttled, "alarmed_events": evidence.Throttled}},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(monitoring(), "logs:DescribeMetricFilters", "ThrottlingException", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"logs:DescribeMetricFilters": 2}},
		{name: "cancelled", collector: c, region: r, state: monitoring, block: "monitoring:DescribeAlarms"},
	})
}

func TestConfigRecorders(t *testing.T) {
	t.Parallel()
	const c, r = "aws.config", "eu-central-1"
	runCases(t, []caseTest{
		{name: "recording", collector: c, region: r, typ: ConfigRecorderType, state: monitoring,
			wantNames: []string{"AWS Config eu-central-1"},
			wantAttrs: map[string]any{"present": true, "recording": true, "all_supported": true}},
		{name: "stopped", collector: c, region: r, typ: ConfigRecorderType,
			state: func() *awsfake.State {
				st := monitoring()
				st.Monitoring.Recorders[0].Recording = false
				st.Monitoring.Recorders[0].AllSupported = false
				return st
			},
			wantNames: []string{"AWS Config eu-central-1"},
			wantAttrs: map[string]any{"present": true, "recording": false, "all_supported": false}},
		{name: "absent", collector: c, region: r, typ: ConfigRecorderType, state: func() *awsfake.State { return &awsfake.State{} },
			wantNames: []string{"AWS Config eu-central-1"},
			wantAttrs: map[string]any{"present": false, "recording": false, "all_supported": false},
			wantCalls: map[string]int{"config:DescribeConfigurationRecorderStatus": 0}},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(monitoring(), "config:DescribeConfigurationRecorders", "AccessDeniedException", http.StatusBadRequest)
			},
			wantErr: evidence.Denied, wantPermission: "config:DescribeConfigurationRecorders"},
		{name: "status denied", collector: c, region: r, typ: ConfigRecorderType,
			state: func() *awsfake.State {
				return withFault(monitoring(), "config:DescribeConfigurationRecorderStatus", "AccessDeniedException", http.StatusBadRequest)
			},
			wantNames: []string{"AWS Config eu-central-1"},
			wantGaps:  map[string]evidence.FailureKind{"recording": evidence.Denied}},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(monitoring(), "config:DescribeConfigurationRecorders", "ThrottlingException", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"config:DescribeConfigurationRecorders": 2}},
		{name: "cancelled", collector: c, region: r, state: monitoring, block: "config:DescribeConfigurationRecorderStatus"},
	})
}
