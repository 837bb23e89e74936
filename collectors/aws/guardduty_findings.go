package aws

import (
	"context"
	"fmt"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// GuardDutyFindings collects, per region, how many open high severity
// GuardDuty findings there are and how many of them are older than the
// configured SLA (aws.findings_sla_days, default 30 days). Open means not
// archived; high means severity 7 or more. Age counts from the finding's
// creation.
//
// AWS API docs: https://docs.aws.amazon.com/guardduty/latest/APIReference/API_ListFindings.html,
// https://docs.aws.amazon.com/guardduty/latest/APIReference/API_GetFindings.html
// Operations: ListDetectors, ListFindings, GetFindings.
type GuardDutyFindings struct{ s *Source }

// GuardDutyFindingsType is the resource type of the open GuardDuty
// findings of a region.
const GuardDutyFindingsType = "aws.guardduty.findings"

// highSeverity is the lowest GuardDuty severity of a high finding.
const highSeverity = 7

// getFindingsBatch is the most finding ids one GetFindings call accepts.
const getFindingsBatch = 50

func (c *GuardDutyFindings) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *GuardDutyFindings) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.guardduty.findings", Version: 1, Source: SourceName, Title: "Open high severity GuardDuty findings per region",
		ResourceTypes: []collectors.ResourceType{{Name: GuardDutyFindingsType, Doc: "The open high severity GuardDuty findings of one account and region.", Attributes: []collectors.Attribute{
			{Name: "detector_present", Type: "bool", Doc: "The region has a GuardDuty detector; without one there are no findings to count."},
			{Name: "high_findings_open", Type: "int", Doc: "Number of findings with severity 7 or more that are not archived."},
			{Name: "high_findings_past_sla", Type: "int", Doc: "Number of those findings created more than sla_days ago."},
			{Name: "oldest_high_finding_created", Type: "timestamp", Doc: `When the oldest open high severity finding was created, or "" when there is none.`},
			{Name: "sla_days", Type: "int", Doc: "The SLA applied, from aws.findings_sla_days (default 30)."},
		}}},
		Permissions: []string{"guardduty:ListDetectors", "guardduty:ListFindings", "guardduty:GetFindings"},
	}
}

// Collect counts the open high severity findings of target's region.
func (c *GuardDutyFindings) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := guardduty.NewFromConfig(cfg)
	ctx, trace := collectors.WithTrace(ctx)
	var detectors []string
	p := guardduty.NewListDetectorsPaginator(cl, &guardduty.ListDetectorsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws guardduty ListDetectors: %w", apiError("guardduty:ListDetectors", err))
		}
		detectors = append(detectors, page.DetectorIds...)
	}
	sla := c.s.cfg.findingsSLADays()
	r := evidence.Resource{Type: GuardDutyFindingsType, ID: fmt.Sprintf("arn:aws:guardduty:%s:%s:findings", target.Region, target.Account),
		Name: "GuardDuty findings " + target.Region, Account: target.Account, Region: target.Region,
		Attributes: map[string]any{"detector_present": len(detectors) > 0, "sla_days": sla}}
	var ids []string
	byDetector := map[string][]string{}
	for _, d := range detectors {
		fp := guardduty.NewListFindingsPaginator(cl, &guardduty.ListFindingsInput{DetectorId: awssdk.String(d), FindingCriteria: openHighCriteria()})
		for fp.HasMorePages() {
			page, err := fp.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("aws guardduty ListFindings %s: %w", d, apiError("guardduty:ListFindings", err))
			}
			byDetector[d] = append(byDetector[d], page.FindingIds...)
			ids = append(ids, page.FindingIds...)
		}
	}
	r.Attributes["high_findings_open"] = len(ids)
	now := c.s.cfg.now()
	past, oldest, err := c.ages(ctx, cl, detectors, byDetector, now, sla)
	switch {
	case err != nil && ctx.Err() != nil:
		return err
	case err != nil:
		fail(out, &r, err, "high_findings_past_sla", "oldest_high_finding_created")
	default:
		r.Attributes["high_findings_past_sla"] = past
		r.Attributes["oldest_high_finding_created"] = timestamp(oldest)
	}
	r.Records = trace.Records()
	out.Emit(r)
	return nil
}

// ages reads the findings in batches and returns how many were created more
// than sla days before now, and the creation time of the oldest.
func (c *GuardDutyFindings) ages(ctx context.Context, cl *guardduty.Client, detectors []string, byDetector map[string][]string, now time.Time, sla int) (int, *time.Time, error) {
	past := 0
	var oldest *time.Time
	deadline := now.Add(-time.Duration(sla) * 24 * time.Hour)
	for _, d := range detectors {
		ids := byDetector[d]
		for start := 0; start < len(ids); start += getFindingsBatch {
			batch := ids[start:min(start+getFindingsBatch, len(ids))]
			res, err := cl.GetFindings(ctx, &guardduty.GetFindingsInput{DetectorId: awssdk.String(d), FindingIds: batch})
			if err != nil {
				return 0, nil, apiError("guardduty:GetFindings", fmt.Errorf("aws guardduty GetFindings %s: %w", d, err))
			}
			for _, f := range res.Findings {
				created, err := time.Parse(time.RFC3339, awssdk.ToString(f.CreatedAt))
				if err != nil {
					return 0, nil, apiError("guardduty:GetFindings", fmt.Errorf("aws guardduty GetFindings %s: finding %s createdAt: %w", d, awssdk.ToString(f.Id), err))
				}
				if created.Before(deadline) {
					past++
				}
				if oldest == nil || created.Before(*oldest) {
					oldest = &created
				}
			}
		}
	}
	return past, oldest, nil
}

// openHighCriteria selects findings that are not archived and have
// severity 7 or more.
func openHighCriteria() *gdtypes.FindingCriteria {
	return &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{
		"service.archived": {Equals: []string{"false"}},
		"severity":         {GreaterThanOrEqual: awssdk.Int64(highSeverity)},
	}}
}
