package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// KMSKeys collects the KMS keys of a region with their manager, state and
// automatic rotation.
//
// AWS API docs: https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
// Operations: ListKeys, DescribeKey, GetKeyRotationStatus.
type KMSKeys struct{ s *Source }

// KMSKeyType is the resource type of a KMS key.
const KMSKeyType = "aws.kms.key"

func (c *KMSKeys) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *KMSKeys) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.kms", Version: 1, Source: SourceName, Title: "KMS keys and their rotation",
		ResourceTypes: []collectors.ResourceType{{Name: KMSKeyType, Doc: "A KMS key. ID is the key ARN.", Attributes: []collectors.Attribute{
			{Name: "manager", Type: "string", Doc: `"CUSTOMER" for customer managed keys, "AWS" for AWS managed keys.`},
			{Name: "state", Type: "string", Doc: `Key state, e.g. "Enabled", "Disabled", "PendingDeletion".`},
			{Name: "spec", Type: "string", Doc: `Key spec, e.g. "SYMMETRIC_DEFAULT" or "RSA_2048".`},
			{Name: "created", Type: "timestamp", Doc: "When the key was created."},
			{Name: "rotation_supported", Type: "bool", Doc: "Automatic rotation applies: an enabled or disabled symmetric encryption key."},
			{Name: "rotation_enabled", Type: "bool", Doc: "Automatic key rotation is on (always true for AWS managed keys)."},
			{Name: "rotation_period_days", Type: "int", Doc: "Days between automatic rotations, 0 when rotation is off."},
		}}},
		Permissions:      []string{"kms:ListKeys", "kms:DescribeKey", "kms:GetKeyRotationStatus"},
		CallsPerResource: 2,
	}
}

// Collect lists and describes the keys of target's region.
func (c *KMSKeys) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := kms.NewFromConfig(cfg)
	var keys []kmstypes.KeyListEntry
	p := kms.NewListKeysPaginator(cl, &kms.ListKeysInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws kms ListKeys: %w", apiError("kms:ListKeys", err))
		}
		keys = append(keys, page.Keys...)
	}
	res := make([]evidence.Resource, len(keys))
	if err := collectors.ForEach(ctx, c.s.cfg.concurrency(), len(keys), func(ctx context.Context, i int) {
		res[i] = c.key(ctx, cl, target, keys[i], out)
	}); err != nil {
		return fmt.Errorf("aws kms: %w", err)
	}
	collectors.EmitSorted(out, res, nil)
	return nil
}

var allKeyAttrs = []string{"manager", "state", "spec", "created", "rotation_supported", "rotation_enabled", "rotation_period_days"}

func (c *KMSKeys) key(ctx context.Context, cl *kms.Client, target evidence.Target, k kmstypes.KeyListEntry, out collectors.Sink) evidence.Resource {
	ctx, trace := collectors.WithTrace(ctx)
	id := awssdk.ToString(k.KeyId)
	res := evidence.Resource{Type: KMSKeyType, ID: awssdk.ToString(k.KeyArn), Name: id, Account: target.Account,
		Region: target.Region, Attributes: map[string]any{}}
	d, err := cl.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
	if err != nil {
		fail(out, &res, apiError("kms:DescribeKey", fmt.Errorf("aws kms DescribeKey %s: %w", id, err)), allKeyAttrs...)
		res.Records = trace.Records()
		return res
	}
	m := d.KeyMetadata
	supported := m.KeyManager == kmstypes.KeyManagerTypeCustomer && m.KeySpec == kmstypes.KeySpecSymmetricDefault &&
		(m.KeyState == kmstypes.KeyStateEnabled || m.KeyState == kmstypes.KeyStateDisabled)
	res.Attributes = map[string]any{
		"manager": string(m.KeyManager), "state": string(m.KeyState), "spec": string(m.KeySpec),
		"created": timestamp(m.CreationDate), "rotation_supported": supported,
	}
	switch {
	case m.KeyManager == kmstypes.KeyManagerTypeAws:
		res.Attributes["rotation_enabled"] = true
		res.Attributes["rotation_period_days"] = 365
	case !supported:
		res.Attributes["rotation_enabled"] = false
		res.Attributes["rotation_period_days"] = 0
	default:
		rot, err := cl.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: k.KeyId})
		if err != nil {
			fail(out, &res, apiError("kms:GetKeyRotationStatus", fmt.Errorf("aws kms GetKeyRotationStatus %s: %w", id, err)), "rotation_enabled", "rotation_period_days")
			break
		}
		res.Attributes["rotation_enabled"] = rot.KeyRotationEnabled
		res.Attributes["rotation_period_days"] = int(awssdk.ToInt32(rot.RotationPeriodInDays))
	}
	res.Records = trace.Records()
	return res
}
