package aws

import (
	"context"
	"fmt"
	"slices"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// AccessAnalyzers collects, per region, the IAM Access Analyzer analyzers
// of an account and their types and statuses. Analyzers are regional: a
// region without an analyzer is not analysed for external access.
//
// AWS API docs: https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ListAnalyzers.html
// Operations: ListAnalyzers.
type AccessAnalyzers struct{ s *Source }

// AccessAnalyzerType is the resource type of the Access Analyzer analyzers
// of one account and region.
const AccessAnalyzerType = "aws.accessanalyzer.region"

func (c *AccessAnalyzers) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *AccessAnalyzers) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.accessanalyzer", Version: 1, Source: SourceName, Title: "IAM Access Analyzer analyzers per region",
		ResourceTypes: []collectors.ResourceType{{Name: AccessAnalyzerType,
			Doc: "The IAM Access Analyzer analyzers of one account and region; emitted for every collected region, with or without analyzers. ID is arn:aws:access-analyzer:<region>:<account>:analyzers.",
			Attributes: []collectors.Attribute{
				{Name: "analyzers", Type: "int", Doc: "Number of analyzers in the region, of any type and status."},
				{Name: "active_types", Type: "list", Doc: `The types ("ACCOUNT", "ORGANIZATION", "ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS", ...) of the analyzers whose status is ACTIVE, sorted, without repeats; empty when none is active.`},
				{Name: "analyzer_names", Type: "list", Doc: "The names of the ACTIVE analyzers, sorted."},
			}}},
		Permissions: []string{"access-analyzer:ListAnalyzers"},
	}
}

// Collect lists the analyzers of target's region.
func (c *AccessAnalyzers) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	ctx, trace := collectors.WithTrace(ctx)
	var analyzers []aatypes.AnalyzerSummary
	p := accessanalyzer.NewListAnalyzersPaginator(accessanalyzer.NewFromConfig(cfg), &accessanalyzer.ListAnalyzersInput{MaxResults: awssdk.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws access-analyzer ListAnalyzers: %w", apiError("access-analyzer:ListAnalyzers", err))
		}
		analyzers = append(analyzers, page.Analyzers...)
	}
	var types, names []string
	for _, a := range analyzers {
		if a.Status != aatypes.AnalyzerStatusActive {
			continue
		}
		types = append(types, string(a.Type))
		names = append(names, awssdk.ToString(a.Name))
	}
	slices.Sort(types)
	types = slices.Compact(types)
	slices.Sort(names)
	out.Emit(evidence.Resource{Type: AccessAnalyzerType, ID: fmt.Sprintf("arn:aws:access-analyzer:%s:%s:analyzers", target.Region, target.Account),
		Name: "Access Analyzer " + target.Region, Account: target.Account, Region: target.Region,
		Attributes: map[string]any{"analyzers": len(analyzers), "active_types": stringList(types), "analyzer_names": stringList(names)},
		Records:    trace.Records()})
	return nil
}
