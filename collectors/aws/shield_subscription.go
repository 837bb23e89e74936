package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/shield"
	shieldtypes "github.com/aws/aws-sdk-go-v2/service/shield/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// ShieldSubscription collects whether an account subscribes to AWS Shield
// Advanced. Shield is a global service served from us-east-1.
//
// AWS API docs: https://docs.aws.amazon.com/waf/latest/DDOSAPIReference/API_GetSubscriptionState.html
// Operations: GetSubscriptionState.
type ShieldSubscription struct{ s *Source }

// ShieldSubscriptionType is the resource type of an account's Shield
// Advanced subscription.
const ShieldSubscriptionType = "aws.shield.subscription"

// shieldRegion is the region that serves the Shield API.
const shieldRegion = "us-east-1"

func (c *ShieldSubscription) regional() bool { return false }

// Describe returns the collector's metadata.
func (c *ShieldSubscription) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.shield", Version: 1, Source: SourceName, Title: "Shield Advanced subscription",
		ResourceTypes: []collectors.ResourceType{{Name: ShieldSubscriptionType, Doc: "The AWS Shield Advanced subscription of one account. ID is arn:aws:shield::<account>:subscription.", Attributes: []collectors.Attribute{
			{Name: "active", Type: "bool", Doc: "The account subscribes to Shield Advanced (SubscriptionState ACTIVE)."},
			{Name: "required", Type: "bool", Doc: "Shield Advanced is required by configuration (aws.shield_required, default false)."},
		}}},
		Permissions: []string{"shield:GetSubscriptionState"},
	}
}

// Collect reads the Shield Advanced subscription state of target's account.
func (c *ShieldSubscription) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cfg.Region = shieldRegion
	ctx, trace := collectors.WithTrace(ctx)
	st, err := shield.NewFromConfig(cfg).GetSubscriptionState(ctx, &shield.GetSubscriptionStateInput{})
	if err != nil {
		return fmt.Errorf("aws shield GetSubscriptionState: %w", apiError("shield:GetSubscriptionState", err))
	}
	out.Emit(evidence.Resource{Type: ShieldSubscriptionType, ID: fmt.Sprintf("arn:aws:shield::%s:subscription", target.Account),
		Name: "Shield Advanced " + target.Account, Account: target.Account,
		Attributes: map[string]any{
			"active":   st.SubscriptionState == shieldtypes.SubscriptionStateActive,
			"required": c.s.cfg.ShieldRequired,
		},
		Records: trace.Records()})
	return nil
}
