package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// ELBv2LoadBalancers collects the application, network and gateway load
// balancers of a region with their access logging: whether each writes
// access logs to S3 (attribute access_logs.s3.enabled) and to which
// bucket. It lists the load balancers as ELBv2Listeners does, and reads
// the attributes of each.
//
// AWS API docs: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeLoadBalancerAttributes.html
// Operations: DescribeLoadBalancers, DescribeLoadBalancerAttributes (one
// per load balancer).
type ELBv2LoadBalancers struct{ s *Source }

// LoadBalancerType is the resource type of an ELBv2 load balancer.
const LoadBalancerType = "aws.elbv2.load_balancer"

func (c *ELBv2LoadBalancers) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *ELBv2LoadBalancers) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.elbv2.load_balancers", Version: 1, Source: SourceName, Title: "Load balancers and their access logging",
		ResourceTypes: []collectors.ResourceType{{Name: LoadBalancerType, Doc: "An application, network or gateway load balancer. ID is its ARN.", Attributes: []collectors.Attribute{
			{Name: "load_balancer_type", Type: "string", Doc: `"application", "network" or "gateway".`},
			{Name: "scheme", Type: "string", Doc: `"internet-facing" or "internal".`},
			{Name: "access_logs", Type: "bool", Doc: "Attribute access_logs.s3.enabled is true: the load balancer writes access logs to S3 (gateway load balancers have no access logs: false)."},
			{Name: "access_logs_bucket", Type: "string", Doc: `The S3 bucket of the access logs (access_logs.s3.bucket), or "".`},
		}}},
		Permissions:      []string{"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes"},
		CallsPerResource: 1,
	}
}

// Collect lists the load balancers of target's region and reads the
// attributes of each.
func (c *ELBv2LoadBalancers) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := elbv2.NewFromConfig(cfg)
	lbs, err := describeLoadBalancers(ctx, cl)
	if err != nil {
		return err
	}
	return describeEach(ctx, c.s.cfg.concurrency(), "elasticloadbalancing DescribeLoadBalancerAttributes", lbs, func(ctx context.Context, x elbtypes.LoadBalancer) (evidence.Resource, bool) {
		return c.loadBalancer(ctx, cl, target, x, out)
	}, out)
}

func (c *ELBv2LoadBalancers) loadBalancer(ctx context.Context, cl *elbv2.Client, target evidence.Target, lb elbtypes.LoadBalancer, out collectors.Sink) (res evidence.Resource, gone bool) {
	ctx, trace := collectors.WithTrace(ctx)
	name := awssdk.ToString(lb.LoadBalancerName)
	r := evidence.Resource{Type: LoadBalancerType, ID: awssdk.ToString(lb.LoadBalancerArn), Name: name,
		Account: target.Account, Region: target.Region,
		Attributes: map[string]any{"load_balancer_type": string(lb.Type), "scheme": string(lb.Scheme)}}
	attrs, err := cl.DescribeLoadBalancerAttributes(ctx, &elbv2.DescribeLoadBalancerAttributesInput{LoadBalancerArn: lb.LoadBalancerArn})
	switch {
	case isCode(err, "LoadBalancerNotFound"):
		return r, true
	case err != nil:
		fail(out, &r, apiError("elasticloadbalancing:DescribeLoadBalancerAttributes",
			fmt.Errorf("aws elasticloadbalancing DescribeLoadBalancerAttributes %s: %w", name, err)), "access_logs", "access_logs_bucket")
	default:
		on, bucket := false, ""
		for _, a := range attrs.Attributes {
			switch awssdk.ToString(a.Key) {
			case "access_logs.s3.enabled":
				on = awssdk.ToString(a.Value) == "true"
			case "access_logs.s3.bucket":
				bucket = awssdk.ToString(a.Value)
			}
		}
		if !on {
			bucket = ""
		}
		r.Attributes["access_logs"] = on
		r.Attributes["access_logs_bucket"] = bucket
	}
	r.Records = trace.Records()
	return r, false
}
