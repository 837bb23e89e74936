package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// SecretsManagerSecrets collects the Secrets Manager secrets of a region
// with their rotation settings and last rotation. Secret values are never
// read.
//
// AWS API docs: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ListSecrets.html
// Operation: ListSecrets.
type SecretsManagerSecrets struct{ s *Source }

// SecretType is the resource type of a Secrets Manager secret.
const SecretType = "aws.secretsmanager.secret"

func (c *SecretsManagerSecrets) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *SecretsManagerSecrets) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.secretsmanager", Version: 1, Source: SourceName, Title: "Secrets Manager secrets and their rotation",
		ResourceTypes: []collectors.ResourceType{{Name: SecretType, Doc: "A Secrets Manager secret (metadata only). ID is the secret ARN.", Attributes: []collectors.Attribute{
			{Name: "rotation_enabled", Type: "bool", Doc: "Automatic rotation is configured."},
			{Name: "rotation_days", Type: "int", Doc: "Days between automatic rotations, 0 when rotation is off or scheduled by expression only."},
			{Name: "last_rotated", Type: "timestamp", Doc: `When the secret was last rotated, "" when never.`},
			{Name: "last_changed", Type: "timestamp", Doc: `When the secret was last changed (rotation or update), "" when unknown.`},
			{Name: "created", Type: "timestamp", Doc: "When the secret was created."},
			{Name: "customer_managed_key", Type: "bool", Doc: "The secret is encrypted with a customer managed KMS key rather than aws/secretsmanager."},
		}}},
		Permissions: []string{"secretsmanager:ListSecrets"},
	}
}

// Collect lists the secrets of target's region.
func (c *SecretsManagerSecrets) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	var rs []evidence.Resource
	p := secretsmanager.NewListSecretsPaginator(secretsmanager.NewFromConfig(cfg), &secretsmanager.ListSecretsInput{MaxResults: awssdk.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws secretsmanager ListSecrets: %w", apiError("secretsmanager:ListSecrets", err))
		}
		for _, x := range page.SecretList {
			days := 0
			if x.RotationRules != nil {
				days = int(awssdk.ToInt64(x.RotationRules.AutomaticallyAfterDays))
			}
			key := awssdk.ToString(x.KmsKeyId)
			rs = append(rs, evidence.Resource{Type: SecretType, ID: awssdk.ToString(x.ARN), Name: awssdk.ToString(x.Name),
				Account: target.Account, Region: target.Region, Attributes: map[string]any{
					"rotation_enabled": awssdk.ToBool(x.RotationEnabled), "rotation_days": days,
					"last_rotated": timestamp(x.LastRotatedDate), "last_changed": timestamp(x.LastChangedDate),
					"created":              timestamp(x.CreatedDate),
					"customer_managed_key": key != "" && key != "alias/aws/secretsmanager",
				}})
		}
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}
