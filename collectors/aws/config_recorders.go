package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/configservice"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// ConfigRecorders collects, per region, whether AWS Config records
// configuration changes: a configuration recorder exists, is recording,
// and records all supported resource types.
//
// AWS API docs: https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeConfigurationRecorders.html,
// https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeConfigurationRecorderStatus.html
// Operations: DescribeConfigurationRecorders, DescribeConfigurationRecorderStatus.
type ConfigRecorders struct{ s *Source }

// ConfigRecorderType is the resource type of the AWS Config status of a
// region.
const ConfigRecorderType = "aws.config.recorder"

func (c *ConfigRecorders) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *ConfigRecorders) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.config", Version: 1, Source: SourceName, Title: "AWS Config recorder status per region",
		ResourceTypes: []collectors.ResourceType{{Name: ConfigRecorderType, Doc: "The AWS Config recorder status of one account and region.", Attributes: []collectors.Attribute{
			{Name: "present", Type: "bool", Doc: "A customer configuration recorder exists in the region."},
			{Name: "recording", Type: "bool", Doc: "A configuration recorder is recording."},
			{Name: "all_supported", Type: "bool", Doc: "A configuration recorder records all supported resource types."},
		}}},
		Permissions: []string{"config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus"},
	}
}

// Collect reads the recorders of target's region.
func (c *ConfigRecorders) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := configservice.NewFromConfig(cfg)
	ctx, trace := collectors.WithTrace(ctx)
	recs, err := cl.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil {
		return fmt.Errorf("aws config DescribeConfigurationRecorders: %w", apiError("config:DescribeConfigurationRecorders", err))
	}
	r := evidence.Resource{Type: ConfigRecorderType, ID: fmt.Sprintf("arn:aws:config:%s:%s:configuration-recorders", target.Region, target.Account),
		Name: "AWS Config " + target.Region, Account: target.Account, Region: target.Region,
		Attributes: map[string]any{"present": len(recs.ConfigurationRecorders) > 0}}
	all := false
	for _, rec := range recs.ConfigurationRecorders {
		all = all || (rec.RecordingGroup != nil && rec.RecordingGroup.AllSupported)
	}
	r.Attributes["all_supported"] = all
	if len(recs.ConfigurationRecorders) == 0 {
		r.Attributes["recording"] = false
	} else {
		st, err := cl.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{})
		switch {
		case err != nil && ctx.Err() != nil:
			return fmt.Errorf("aws config DescribeConfigurationRecorderStatus: %w", apiError("config:DescribeConfigurationRecorderStatus", err))
		case err != nil:
			fail(out, &r, apiError("config:DescribeConfigurationRecorderStatus", fmt.Errorf("aws config DescribeConfigurationRecorderStatus: %w", err)), "recording")
		default:
			recording := false
			for _, s := range st.ConfigurationRecordersStatus {
				recording = recording || s.Recording
			}
			r.Attributes["recording"] = recording
		}
	}
	r.Records = trace.Records()
	out.Emit(r)
	return nil
}
