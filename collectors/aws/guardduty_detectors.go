package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// GuardDutyDetectors collects whether GuardDuty threat detection is on in a
// region.
//
// AWS API docs: https://docs.aws.amazon.com/guardduty/latest/APIReference/API_ListDetectors.html
// Operations: ListDetectors, GetDetector.
type GuardDutyDetectors struct{ s *Source }

// GuardDutyType is the resource type of the GuardDuty status of a region.
const GuardDutyType = "aws.guardduty.region"

func (c *GuardDutyDetectors) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *GuardDutyDetectors) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.guardduty", Version: 1, Source: SourceName, Title: "GuardDuty status per region",
		ResourceTypes: []collectors.ResourceType{{Name: GuardDutyType, Doc: "The GuardDuty status of one account and region.", Attributes: []collectors.Attribute{
			{Name: "enabled", Type: "bool", Doc: "A GuardDuty detector is enabled in the region."},
			{Name: "detectors", Type: "int", Doc: "Number of detectors in the region (0 or 1)."},
		}}},
		Permissions: []string{"guardduty:ListDetectors", "guardduty:GetDetector"},
	}
}

// Collect reads the detectors of target's region.
func (c *GuardDutyDetectors) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := guardduty.NewFromConfig(cfg)
	ctx, trace := collectors.WithTrace(ctx)
	var ids []string
	p := guardduty.NewListDetectorsPaginator(cl, &guardduty.ListDetectorsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws guardduty ListDetectors: %w", apiError("guardduty:ListDetectors", err))
		}
		ids = append(ids, page.DetectorIds...)
	}
	r := evidence.Resource{Type: GuardDutyType, ID: fmt.Sprintf("arn:aws:guardduty:%s:%s:detector", target.Region, target.Account),
		Name: "GuardDuty " + target.Region, Account: target.Account, Region: target.Region,
		Attributes: map[string]any{"detectors": len(ids)}}
	enabled := false
	for _, id := range ids {
		d, err := cl.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: &id})
		if err != nil {
			err = apiError("guardduty:GetDetector", fmt.Errorf("aws guardduty GetDetector %s: %w", id, err))
			if ctx.Err() != nil {
				return err
			}
			fail(out, &r, err, "enabled")
			enabled = false
			break
		}
		enabled = enabled || d.Status == gdtypes.DetectorStatusEnabled
	}
	if !hasGap(r, "enabled") {
		r.Attributes["enabled"] = enabled
	}
	r.Records = trace.Records()
	out.Emit(r)
	return nil
}

func hasGap(r evidence.Resource, attr string) bool {
	for _, g := range r.Gaps {
		if g.Attribute == attr {
			return true
		}
	}
	return false
}
