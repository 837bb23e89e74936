package awsfake

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// Monitoring holds an account's CloudWatch alarms (rpc-v2-cbor), CloudWatch
// Logs metric filters (JSON 1.1), SNS topics (query XML), AWS Config
// recorders (JSON 1.1) and Security Hub hubs and findings (REST-JSON,
// securityhub.go).
type Monitoring struct {
	Alarms        []Alarm
	MetricFilters []MetricFilter
	Topics        []Topic
	Recorders     []Recorder
	// Hubs are the regions where the account subscribes to Security Hub.
	Hubs []Hub
	// HubFindings are the Security Hub findings the account sees.
	HubFindings []HubFinding
}

// An Alarm is a CloudWatch metric alarm.
type Alarm struct {
	Name, Region      string
	Namespace, Metric string
	// Dimensions select the metric's resource, e.g. DBInstanceIdentifier
	// or LoadBalancer.
	Dimensions []Dimension
	// Math, when set, makes this a metric math alarm over these metrics
	// (returned as the alarm's Metrics, with no top-level metric).
	Math []AlarmMetric
	// Actions are the ARNs notified in ALARM state, e.g. SNS topics.
	Actions        []string
	ActionsOff     bool
	State          string
	StateUpdatedAt time.Time
}

// A Dimension is a CloudWatch metric dimension.
type Dimension struct{ Name, Value string }

// An AlarmMetric is a metric a metric math alarm reads.
type AlarmMetric struct {
	Namespace, Metric string
	Dimensions        []Dimension
}

// LoadBalancerDimension returns the LoadBalancer dimension of the fake's
// load balancer name of type typ ("application" or "network"): the part of
// its ARN after "loadbalancer/", e.g. "app/web/50dc6c495c0c9188".
func LoadBalancerDimension(typ, name string) string {
	_, dim, _ := strings.Cut((&State{}).lbARN(LoadBalancer{Name: name, Type: typ}), ":loadbalancer/")
	return dim
}

// dimensions renders metric dimensions as CloudWatch returns them.
func dimensions(ds []Dimension) []any {
	out := []any{}
	for _, d := range ds {
		out = append(out, map[string]any{"Name": d.Name, "Value": d.Value})
	}
	return out
}

// A MetricFilter is a CloudWatch Logs metric filter.
type MetricFilter struct {
	Name, Region, LogGroup, Pattern string
	Namespace, Metric               string
}

// A Topic is an SNS topic with its subscriptions.
type Topic struct {
	Name, Region string
	// Subscribers are endpoints of confirmed subscriptions.
	Subscribers []string
	// Pending are endpoints whose subscription is not confirmed.
	Pending []string
}

// A Recorder is an AWS Config configuration recorder.
type Recorder struct {
	Name, Region string
	AllSupported bool
	Recording    bool
}

// TopicARN returns the ARN of topic name in region of account.
func TopicARN(region, account, name string) string {
	return "arn:aws:sns:" + region + ":" + account + ":" + name
}

// cborValue converts a JSON-like Go value into CBOR; times become epoch
// seconds (tag 1).
func cborValue(v any) cbor.Value {
	switch x := v.(type) {
	case nil:
		return &cbor.Nil{}
	case string:
		return cbor.String(x)
	case bool:
		return cbor.Bool(x)
	case int:
		if x < 0 {
			return cbor.NegInt(uint64(-x))
		}
		return cbor.Uint(uint64(x))
	case float64:
		return cbor.Float64(x)
	case time.Time:
		return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(x.UnixMilli()) / 1000)}
	case []any:
		l := cbor.List{}
		for _, e := range x {
			l = append(l, cborValue(e))
		}
		return l
	case []string:
		l := cbor.List{}
		for _, e := range x {
			l = append(l, cbor.String(e))
		}
		return l
	case map[string]any:
		m := cbor.Map{}
		for k, e := range x {
			m[k] = cborValue(e)
		}
		return m
	}
	panic(fmt.Sprintf("awsfake: no CBOR for %T", v))
}

// goValue converts a decoded CBOR request body into JSON-like Go values.
func goValue(v cbor.Value) any {
	switch x := v.(type) {
	case cbor.String:
		return string(x)
	case cbor.Bool:
		return bool(x)
	case cbor.Uint:
		return float64(x)
	case cbor.NegInt:
		return -float64(x)
	case cbor.Float64:
		return float64(x)
	case cbor.Float32:
		return float64(x)
	case cbor.List:
		out := []any{}
		for _, e := range x {
			out = append(out, goValue(e))
		}
		return out
	case cbor.Map:
		out := map[string]any{}
		for k, e := range x {
			out[k] = goValue(e)
		}
		return out
	}
	return nil
}

// decodeCBOR decodes an rpc-v2-cbor request body.
func decodeCBOR(body []byte) (map[string]any, error) {
	if len(body) == 0 {
		return map[string]any{}, nil
	}
	v, err := cbor.Decode(body)
	if err != nil {
		return nil, fmt.Errorf("decode CBOR body: %w", err)
	}
	m, _ := goValue(v).(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

func writeCBOR(w http.ResponseWriter, status int, v map[string]any) {
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.WriteHeader(status)
	_, _ = w.Write(cbor.Encode(cborValue(v)))
}

// writeCBORError writes an rpc-v2-cbor error with the awsQuery-compatible
// error header CloudWatch sends.
func writeCBORError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Amzn-Query-Error", code+";Sender")
	writeCBOR(w, status, map[string]any{"__type": "com.amazonaws.cloudwatch#" + code, "message": msg})
}

func (s *State) serveCloudWatch(w http.ResponseWriter, req *Request) bool {
	if req.Operation != "DescribeAlarms" {
		return false
	}
	as := inRegion(s.Monitoring.Alarms, req.Region, func(a Alarm) string { return a.Region })
	items, next := page(as, str(req.JSON, "NextToken"), s.PageSize)
	list := []any{}
	for _, a := range items {
		state := a.State
		if state == "" {
			state = "OK"
		}
		alarm := map[string]any{
			"AlarmName": a.Name, "AlarmArn": "arn:aws:cloudwatch:" + a.Region + ":" + s.AccountID + ":alarm:" + a.Name,
			"ActionsEnabled": !a.ActionsOff, "AlarmActions": a.Actions,
			"OKActions": []string{}, "InsufficientDataActions": []string{}, "StateValue": state,
			"EvaluationPeriods": 1, "Threshold": 1.0, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
			"StateUpdatedTimestamp": a.StateUpdatedAt,
		}
		if len(a.Math) == 0 {
			alarm["Namespace"], alarm["MetricName"], alarm["Statistic"], alarm["Period"] = a.Namespace, a.Metric, "Sum", 300
			alarm["Dimensions"] = dimensions(a.Dimensions)
		} else {
			queries := []any{}
			ids := []string{}
			for i, m := range a.Math {
				id := fmt.Sprintf("m%d", i+1)
				ids = append(ids, id)
				queries = append(queries, map[string]any{"Id": id, "ReturnData": false, "MetricStat": map[string]any{
					"Metric": map[string]any{"Namespace": m.Namespace, "MetricName": m.Metric, "Dimensions": dimensions(m.Dimensions)},
					"Period": 300, "Stat": "Sum"}})
			}
			queries = append(queries, map[string]any{"Id": "e1", "Expression": "SUM([" + strings.Join(ids, ",") + "])", "Label": a.Name, "ReturnData": true})
			alarm["Metrics"] = queries
		}
		list = append(list, alarm)
	}
	out := map[string]any{"MetricAlarms": list, "CompositeAlarms": []any{}}
	if next != "" {
		out["NextToken"] = next
	}
	writeCBOR(w, http.StatusOK, out)
	return true
}

func (s *State) serveLogs(w http.ResponseWriter, req *Request) bool {
	if req.Operation == "DescribeLogGroups" {
		gs := inRegion(s.LogGroups, req.Region, func(g LogGroup) string { return g.Region })
		items, next := page(gs, str(req.JSON, "nextToken"), s.PageSize)
		list := []map[string]any{}
		for _, g := range items {
			m := map[string]any{"logGroupName": g.Name, "creationTime": 1735787045000, "metricFilterCount": 0, "storedBytes": 1024,
				"arn":         "arn:aws:logs:" + g.Region + ":" + s.AccountID + ":log-group:" + g.Name + ":*",
				"logGroupArn": "arn:aws:logs:" + g.Region + ":" + s.AccountID + ":log-group:" + g.Name, "logGroupClass": "STANDARD"}
			if g.RetentionDays > 0 {
				m["retentionInDays"] = g.RetentionDays
			}
			list = append(list, m)
		}
		out := map[string]any{"logGroups": list}
		if next != "" {
			out["nextToken"] = next
		}
		writeJSON(w, json11, out)
		return true
	}
	if req.Operation != "DescribeMetricFilters" {
		return false
	}
	fs := inRegion(s.Monitoring.MetricFilters, req.Region, func(f MetricFilter) string { return f.Region })
	items, next := page(fs, str(req.JSON, "nextToken"), s.PageSize)
	list := []map[string]any{}
	for _, f := range items {
		list = append(list, map[string]any{"filterName": f.Name, "filterPattern": f.Pattern, "logGroupName": f.LogGroup,
			"creationTime": 1735787045000, "metricTransformations": []map[string]any{
				{"metricName": f.Metric, "metricNamespace": f.Namespace, "metricValue": "1"}}})
	}
	out := map[string]any{"metricFilters": list}
	if next != "" {
		out["nextToken"] = next
	}
	writeJSON(w, json11, out)
	return true
}

const snsNS = "http://sns.amazonaws.com/doc/2010-03-31/"

func (s *State) serveSNS(w http.ResponseWriter, req *Request) bool {
	if req.Operation != "ListSubscriptionsByTopic" {
		return false
	}
	arn := req.Form.Get("TopicArn")
	for _, t := range inRegion(s.Monitoring.Topics, req.Region, func(t Topic) string { return t.Region }) {
		if TopicARN(t.Region, s.AccountID, t.Name) != arn {
			continue
		}
		type sub struct{ endpoint, arn string }
		var subs []sub
		for i, e := range t.Subscribers {
			subs = append(subs, sub{e, fmt.Sprintf("%s:0c6a1f2b-3d4e-5f60-7182-93a4b5c6d7e%d", arn, i)})
		}
		for _, e := range t.Pending {
			subs = append(subs, sub{e, "PendingConfirmation"})
		}
		items, next := page(subs, req.Form.Get("NextToken"), s.PageSize)
		var ns []Node
		for _, x := range items {
			ns = append(ns, E("member", T("TopicArn", arn), T("Protocol", "email"), T("SubscriptionArn", x.arn),
				T("Owner", s.AccountID), T("Endpoint", x.endpoint)))
		}
		kids := []Node{E("Subscriptions", ns...)}
		if next != "" {
			kids = append(kids, T("NextToken", next))
		}
		queryResponse(w, req.Operation, snsNS, kids...)
		return true
	}
	writeError(w, req, http.StatusNotFound, "NotFound", "Topic does not exist")
	return true
}

func (s *State) serveConfig(w http.ResponseWriter, req *Request) bool {
	rs := inRegion(s.Monitoring.Recorders, req.Region, func(r Recorder) string { return r.Region })
	switch req.Operation {
	case "DescribeConfigurationRecorders":
		list := []map[string]any{}
		for _, r := range rs {
			list = append(list, map[string]any{"name": r.Name, "arn": "arn:aws:config:" + r.Region + ":" + s.AccountID + ":configuration-recorder/" + r.Name,
				"roleARN":        "arn:aws:iam::" + s.AccountID + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
				"recordingGroup": map[string]any{"allSupported": r.AllSupported, "includeGlobalResourceTypes": r.AllSupported}})
		}
		writeJSON(w, json11, map[string]any{"ConfigurationRecorders": list})
	case "DescribeConfigurationRecorderStatus":
		list := []map[string]any{}
		for _, r := range rs {
			list = append(list, map[string]any{"name": r.Name, "recording": r.Recording, "lastStatus": "SUCCESS"})
		}
		writeJSON(w, json11, map[string]any{"ConfigurationRecordersStatus": list})
	default:
		return false
	}
	return true
}

// EncodeCBOR encodes a JSON-like value (maps, lists, strings, bools, ints,
// float64 and time.Time) in CBOR as CloudWatch's rpc-v2-cbor protocol does.
// Tests use it to serve JSON fixtures to the CloudWatch client.
func EncodeCBOR(v any) []byte { return cbor.Encode(cborValue(v)) }
