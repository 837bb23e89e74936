package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// SecurityHubStandards collects, per account and region, whether the
// account subscribes to AWS Security Hub and which security standards are
// enabled there. A standard counts as enabled when its subscription's
// status is READY; subscriptions that are PENDING, INCOMPLETE, FAILED or
// DELETING are listed apart, since Security Hub does not (fully) check
// the standard's controls then.
//
// A region without Security Hub is evidence (enabled false, no
// standards), not a failure: AWS answers GetEnabledStandards there with
// InvalidAccessException "Account ... is not subscribed to AWS Security
// Hub".
//
// AWS API docs: https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetEnabledStandards.html
// Operation: securityhub:GetEnabledStandards (100 subscriptions a page).
type SecurityHubStandards struct{ s *Source }

// SecurityHubStandardsType is the resource type of the Security Hub
// standards enabled in a region.
const SecurityHubStandardsType = "aws.securityhub.standards"

func (c *SecurityHubStandards) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *SecurityHubStandards) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.securityhub.standards", Version: 1, Source: SourceName, Title: "Security Hub standards enabled per region",
		ResourceTypes: []collectors.ResourceType{{Name: SecurityHubStandardsType, Doc: "Security Hub in one account and region and the security standards enabled there.", Attributes: []collectors.Attribute{
			{Name: "enabled", Type: "bool", Doc: "The account subscribes to Security Hub in the region; without it no standard is checked."},
			{Name: "standards", Type: "list", Doc: `The standards enabled and ready, as path and version of their ARN, e.g. "aws-foundational-security-best-practices/v/1.0.0", sorted.`},
			{Name: "standard_names", Type: "list", Doc: `The names of those standards without the version, e.g. "cis-aws-foundations-benchmark", sorted and unique.`},
			{Name: "standards_not_ready", Type: "list", Doc: `Subscribed standards whose status is not READY, as "<standard> (<status>)", sorted.`},
		}}},
		Permissions: []string{"securityhub:GetEnabledStandards"},
	}
}

// Collect reads the enabled standards of target's region.
func (c *SecurityHubStandards) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := securityhub.NewFromConfig(cfg)
	ctx, trace := collectors.WithTrace(ctx)
	r := evidence.Resource{Type: SecurityHubStandardsType, ID: fmt.Sprintf("arn:aws:securityhub:%s:%s:standards", target.Region, target.Account),
		Name: "Security Hub standards " + target.Region, Account: target.Account, Region: target.Region}
	subs, err := enabledStandards(ctx, cl)
	switch {
	case notSubscribed(err):
		r.Attributes = map[string]any{"enabled": false, "standards": []string{}, "standard_names": []string{}, "standards_not_ready": []string{}}
	case err != nil:
		return err
	default:
		r.Attributes = standardsAttributes(subs)
	}
	r.Records = trace.Records()
	out.Emit(r)
	return nil
}

// enabledStandards pages through the region's standards subscriptions.
func enabledStandards(ctx context.Context, cl *securityhub.Client) ([]shtypes.StandardsSubscription, error) {
	var subs []shtypes.StandardsSubscription
	p := securityhub.NewGetEnabledStandardsPaginator(cl, &securityhub.GetEnabledStandardsInput{MaxResults: awssdk.Int32(securityHubPage)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if notSubscribed(err) {
			return nil, err
		}
		if err != nil {
			return nil, fmt.Errorf("aws securityhub GetEnabledStandards: %w", apiError("securityhub:GetEnabledStandards", err))
		}
		subs = append(subs, page.StandardsSubscriptions...)
	}
	return subs, nil
}

// standardsAttributes sorts the subscriptions into ready standards and
// the others.
func standardsAttributes(subs []shtypes.StandardsSubscription) map[string]any {
	ready, names, notReady := []string{}, []string{}, []string{}
	for _, s := range subs {
		id := standardID(awssdk.ToString(s.StandardsArn))
		if s.StandardsStatus != shtypes.StandardsStatusReady {
			notReady = append(notReady, fmt.Sprintf("%s (%s)", id, s.StandardsStatus))
			continue
		}
		ready = append(ready, id)
		name, _, _ := strings.Cut(id, "/v/")
		names = append(names, name)
	}
	slices.Sort(ready)
	slices.Sort(names)
	slices.Sort(notReady)
	return map[string]any{"enabled": true, "standards": ready, "standard_names": slices.Compact(names), "standards_not_ready": notReady}
}

// standardID returns the path and version of a standard's ARN: the part
// after "standards/" or, for CIS 1.2.0, "ruleset/", e.g.
// "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"
// gives "cis-aws-foundations-benchmark/v/1.2.0". An ARN of another shape
// is kept whole.
func standardID(arn string) string {
	_, resource, ok := strings.Cut(arn, "::")
	if !ok {
		return arn
	}
	resource = strings.TrimPrefix(resource, ":")
	for _, prefix := range []string{"standards/", "ruleset/"} {
		if id, found := strings.CutPrefix(resource, prefix); found {
			return id
		}
	}
	return arn
}
