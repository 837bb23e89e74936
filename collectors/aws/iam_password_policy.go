package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// IAMPasswordPolicy collects the account password policy for IAM users.
//
// AWS API docs: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountPasswordPolicy.html
// Operation: GetAccountPasswordPolicy. NoSuchEntity means the account has
// no policy and yields a resource with present false.
type IAMPasswordPolicy struct{ s *Source }

// PasswordPolicyType is the resource type of the IAM password policy.
const PasswordPolicyType = "aws.iam.password_policy"

func (c *IAMPasswordPolicy) regional() bool { return false }

// Describe returns the collector's metadata.
func (c *IAMPasswordPolicy) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.iam.password_policy", Version: 1, Source: SourceName, Title: "IAM account password policy",
		ResourceTypes: []collectors.ResourceType{{Name: PasswordPolicyType, Doc: "The IAM password policy of an account; one per account.", Attributes: []collectors.Attribute{
			{Name: "present", Type: "bool", Doc: "The account has a custom password policy."},
			{Name: "minimum_length", Type: "int", Doc: "Minimum password length (0 without a policy)."},
			{Name: "require_symbols", Type: "bool", Doc: "Passwords need a symbol."},
			{Name: "require_numbers", Type: "bool", Doc: "Passwords need a digit."},
			{Name: "require_uppercase", Type: "bool", Doc: "Passwords need an upper-case letter."},
			{Name: "require_lowercase", Type: "bool", Doc: "Passwords need a lower-case letter."},
			{Name: "max_age_days", Type: "int", Doc: "Days until a password expires, 0 for never."},
			{Name: "reuse_prevention", Type: "int", Doc: "Number of previous passwords that cannot be reused, 0 for none."},
			{Name: "hard_expiry", Type: "bool", Doc: "Users cannot set a new password after theirs expired."},
		}}},
		Permissions: []string{"iam:GetAccountPasswordPolicy"},
	}
}

// Collect reads the password policy of target's account.
func (c *IAMPasswordPolicy) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	ctx, trace := collectors.WithTrace(ctx)
	res := evidence.Resource{Type: PasswordPolicyType, ID: "arn:aws:iam::" + target.Account + ":account-password-policy",
		Name: "password policy", Account: target.Account}
	pol, err := iam.NewFromConfig(cfg).GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	switch {
	case isCode(err, "NoSuchEntity"):
		res.Attributes = map[string]any{
			"present": false, "minimum_length": 0, "require_symbols": false, "require_numbers": false,
			"require_uppercase": false, "require_lowercase": false, "max_age_days": 0, "reuse_prevention": 0,
			"hard_expiry": false,
		}
	case err != nil:
		return fmt.Errorf("aws iam GetAccountPasswordPolicy: %w", apiError("iam:GetAccountPasswordPolicy", err))
	default:
		p := pol.PasswordPolicy
		res.Attributes = map[string]any{
			"present":           true,
			"minimum_length":    int(awssdk.ToInt32(p.MinimumPasswordLength)),
			"require_symbols":   p.RequireSymbols,
			"require_numbers":   p.RequireNumbers,
			"require_uppercase": p.RequireUppercaseCharacters,
			"require_lowercase": p.RequireLowercaseCharacters,
			"max_age_days":      int(awssdk.ToInt32(p.MaxPasswordAge)),
			"reuse_prevention":  int(awssdk.ToInt32(p.PasswordReusePrevention)),
			"hard_expiry":       awssdk.ToBool(p.HardExpiry),
		}
	}
	res.Records = trace.Records()
	out.Emit(res)
	return nil
}
