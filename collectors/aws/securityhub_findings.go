package aws

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// SecurityHubFindings collects, per account and region, whether the
// account subscribes to AWS Security Hub and, where it does, how many of
// its open critical and high findings there are and how many of them are
// older than the configured SLA (aws.findings_sla_days, default 30 days,
// as for GuardDuty findings). Open means record state ACTIVE and workflow
// status NEW or NOTIFIED; critical and high are the severity labels. Only
// the account's own findings from the region itself count, so that an
// administrator account or an aggregation region does not count its
// members' or linked regions' findings again. Age counts from the
// finding's creation (CreatedAt).
//
// A region without Security Hub is evidence (enabled false), not a
// failure: AWS answers DescribeHub there with InvalidAccessException
// "Account ... is not subscribed to AWS Security Hub".
//
// AWS API docs: https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_DescribeHub.html,
// https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindings.html
// Operations: securityhub:DescribeHub, securityhub:GetFindings (100
// findings a page).
type SecurityHubFindings struct{ s *Source }

// SecurityHubFindingsType is the resource type of the open Security Hub
// findings of a region.
const SecurityHubFindingsType = "aws.securityhub.findings"

// securityHubPage is the most findings one GetFindings call returns.
const securityHubPage = 100

func (c *SecurityHubFindings) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *SecurityHubFindings) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.securityhub.findings", Version: 1, Source: SourceName, Title: "Open critical and high Security Hub findings per region",
		ResourceTypes: []collectors.ResourceType{{Name: SecurityHubFindingsType, Doc: "Security Hub in one account and region and its open critical and high findings.", Attributes: []collectors.Attribute{
			{Name: "enabled", Type: "bool", Doc: "The account subscribes to Security Hub in the region; without it there are no findings to count."},
			{Name: "subscribed_at", Type: "timestamp", Doc: `When Security Hub was enabled in the region, or "" when it is not.`},
			{Name: "findings_open", Type: "int", Doc: "Number of the account's active findings from the region with severity label CRITICAL or HIGH and workflow status NEW or NOTIFIED."},
			{Name: "critical_findings_open", Type: "int", Doc: "Number of those findings labelled CRITICAL."},
			{Name: "findings_past_sla", Type: "int", Doc: "Number of those findings created more than sla_days ago."},
			{Name: "oldest_finding_created", Type: "timestamp", Doc: `When the oldest of those findings was created, or "" when there is none.`},
			{Name: "sla_days", Type: "int", Doc: "The SLA applied, from aws.findings_sla_days (default 30)."},
		}}},
		Permissions: []string{"securityhub:DescribeHub", "securityhub:GetFindings"},
	}
}

// Collect reads the hub and the open critical and high findings of
// target's region.
func (c *SecurityHubFindings) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := securityhub.NewFromConfig(cfg)
	ctx, trace := collectors.WithTrace(ctx)
	sla := c.s.cfg.findingsSLADays()
	r := evidence.Resource{Type: SecurityHubFindingsType, ID: fmt.Sprintf("arn:aws:securityhub:%s:%s:findings", target.Region, target.Account),
		Name: "Security Hub findings " + target.Region, Account: target.Account, Region: target.Region,
		Attributes: map[string]any{"sla_days": sla}}
	hub, err := cl.DescribeHub(ctx, &securityhub.DescribeHubInput{})
	switch {
	case notSubscribed(err):
		for k, v := range map[string]any{"enabled": false, "subscribed_at": "", "findings_open": 0, "critical_findings_open": 0,
			"findings_past_sla": 0, "oldest_finding_created": ""} {
			r.Attributes[k] = v
		}
		r.Records = trace.Records()
		out.Emit(r)
		return nil
	case err != nil:
		return fmt.Errorf("aws securityhub DescribeHub: %w", apiError("securityhub:DescribeHub", err))
	}
	r.Attributes["enabled"] = true
	if at, err := findingTime(hub.SubscribedAt); err != nil {
		fail(out, &r, apiError("securityhub:DescribeHub", fmt.Errorf("aws securityhub DescribeHub: SubscribedAt: %w", err)), "subscribed_at")
	} else {
		r.Attributes["subscribed_at"] = timestamp(&at)
	}
	open, critical, past, oldest, err := c.findings(ctx, cl, target, c.s.cfg.now().Add(-time.Duration(sla)*24*time.Hour))
	switch {
	case err != nil && ctx.Err() != nil:
		return err
	case err != nil:
		fail(out, &r, err, "findings_open", "critical_findings_open", "findings_past_sla", "oldest_finding_created")
	default:
		r.Attributes["findings_open"] = open
		r.Attributes["critical_findings_open"] = critical
		r.Attributes["findings_past_sla"] = past
		r.Attributes["oldest_finding_created"] = timestamp(oldest)
	}
	r.Records = trace.Records()
	out.Emit(r)
	return nil
}

// findings pages through the open critical and high findings of target
// and returns how many there are, how many are critical, how many were
// created before deadline, and the creation time of the oldest.
func (c *SecurityHubFindings) findings(ctx context.Context, cl *securityhub.Client, target evidence.Target, deadline time.Time) (open, critical, past int, oldest *time.Time, err error) {
	p := securityhub.NewGetFindingsPaginator(cl, &securityhub.GetFindingsInput{Filters: openCriticalHighFilters(target), MaxResults: awssdk.Int32(securityHubPage)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, 0, 0, nil, apiError("securityhub:GetFindings", fmt.Errorf("aws securityhub GetFindings: %w", err))
		}
		for _, f := range page.Findings {
			created, err := findingTime(f.CreatedAt)
			if err != nil {
				return 0, 0, 0, nil, apiError("securityhub:GetFindings", fmt.Errorf("aws securityhub GetFindings: finding %s CreatedAt: %w", awssdk.ToString(f.Id), err))
			}
			open++
			if f.Severity != nil && f.Severity.Label == shtypes.SeverityLabelCritical {
				critical++
			}
			if created.Before(deadline) {
				past++
			}
			if oldest == nil || created.Before(*oldest) {
				oldest = &created
			}
		}
	}
	return open, critical, past, oldest, nil
}

// openCriticalHighFilters selects the active findings of target's account
// from target's region labelled CRITICAL or HIGH whose workflow status is
// NEW or NOTIFIED.
func openCriticalHighFilters(target evidence.Target) *shtypes.AwsSecurityFindingFilters {
	eq := func(values ...string) []shtypes.StringFilter {
		fs := make([]shtypes.StringFilter, len(values))
		for i, v := range values {
			fs[i] = shtypes.StringFilter{Comparison: shtypes.StringFilterComparisonEquals, Value: awssdk.String(v)}
		}
		return fs
	}
	return &shtypes.AwsSecurityFindingFilters{
		AwsAccountId:   eq(target.Account),
		Region:         eq(target.Region),
		RecordState:    eq(string(shtypes.RecordStateActive)),
		WorkflowStatus: eq(string(shtypes.WorkflowStatusNew), string(shtypes.WorkflowStatusNotified)),
		SeverityLabel:  eq(string(shtypes.SeverityLabelCritical), string(shtypes.SeverityLabelHigh)),
	}
}

// findingTime parses an ISO 8601 time of the Security Finding Format, e.g.
// "2026-08-14T09:00:00.000Z".
func findingTime(s *string) (time.Time, error) {
	return time.Parse(time.RFC3339, awssdk.ToString(s))
}

// notSubscribed reports whether err says that the account does not
// subscribe to Security Hub in the region. Other InvalidAccessException
// errors (such as "not an administrator") are failures.
func notSubscribed(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "InvalidAccessException" &&
		strings.Contains(ae.ErrorMessage(), "not subscribed to AWS Security Hub")
}
