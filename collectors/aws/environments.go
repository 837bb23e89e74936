package aws

import (
	"context"
	"fmt"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// Environment collects, per account, the environment (prod or nonprod)
// that Config.Environments gives the account directly or through its
// organisational units.
//
// AWS API docs: https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListParents.html
// Operation: organizations:ListParents, called with the caller's (management
// account) credentials and only when Config.Environments names OUs.
type Environment struct{ s *Source }

// AccountType is the resource type of an account's classification.
const AccountType = "aws.account"

func (c *Environment) regional() bool { return false }

// Describe returns the collector's metadata.
func (c *Environment) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.environment", Version: 1, Source: SourceName, Title: "Account environments (prod or nonprod)",
		ResourceTypes: []collectors.ResourceType{{Name: AccountType, Doc: "An AWS account and its environment. ID is the account root ARN.", Attributes: []collectors.Attribute{
			{Name: "environment", Type: "string", Doc: `"prod" or "nonprod" from aws.environments; a gap when the account is not classified.`},
		}}},
		Permissions: []string{"organizations:ListParents"},
	}
}

// Collect classifies target's account.
func (c *Environment) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	r := evidence.Resource{Type: AccountType, ID: "arn:aws:iam::" + target.Account + ":root", Name: target.Account, Account: target.Account,
		Attributes: map[string]any{}}
	env, err := c.s.environment(ctx, target.Account, map[string]string{})
	switch {
	case err != nil && ctx.Err() != nil:
		return err
	case err != nil:
		fail(out, &r, err, "environment")
	case env == "":
		r.Gaps = append(r.Gaps, unclassified(target.Account))
	default:
		r.Attributes["environment"] = env
	}
	out.Emit(r)
	return nil
}

// unclassified is the gap of an account that aws.environments does not
// classify.
func unclassified(account string) evidence.Gap {
	return evidence.Gap{Attribute: "environment", Kind: evidence.Errored,
		Message: "aws.environments classifies neither account " + account + " nor one of its organisational units"}
}

// environment returns the configured environment of account, "" when none
// applies. cache holds the lookups of one collector run: it is never shared
// between runs, so every run records the ListParents responses its
// resources rest on, whatever order the runs are scheduled in.
func (s *Source) environment(ctx context.Context, account string, cache map[string]string) (string, error) {
	envs := s.cfg.Environments
	if env, ok := envs[account]; ok {
		return env, nil
	}
	ous := false
	for k := range envs {
		ous = ous || strings.HasPrefix(k, "ou-")
	}
	if !ous {
		return "", nil
	}
	if env, ok := cache[account]; ok {
		return env, nil
	}
	s.mu.Lock()
	base, ok := s.accounts[s.caller]
	s.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("aws: caller account was not planned")
	}
	cl := organizations.NewFromConfig(base)
	child, env := account, ""
	for env == "" {
		page, err := cl.ListParents(ctx, &organizations.ListParentsInput{ChildId: awssdk.String(child)})
		if err != nil {
			return "", apiError("organizations:ListParents", fmt.Errorf("aws organizations ListParents %s: %w", child, err))
		}
		if len(page.Parents) == 0 || page.Parents[0].Type != "ORGANIZATIONAL_UNIT" {
			break
		}
		child = awssdk.ToString(page.Parents[0].Id)
		env = envs[child]
	}
	cache[account] = env
	return env, nil
}
