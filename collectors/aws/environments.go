package aws

import (
	"context"
	"errors"
	"fmt"
	"regexp"
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
// Operations: organizations:ListParents and organizations:ListTagsForResource,
// called with the caller's (management account) credentials and only when
// Config.Environments names OUs or Config.EnvironmentTag is set.
type Environment struct{ s *Source }

// AccountType is the resource type of an account's classification.
const AccountType = "aws.account"

func (c *Environment) regional() bool { return false }

// Describe returns the collector's metadata.
func (c *Environment) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.environment", Version: 2, Source: SourceName, Title: "Account environments (prod or nonprod)",
		ResourceTypes: []collectors.ResourceType{{Name: AccountType, Doc: "An AWS account and its environment. ID is the account root ARN.", Attributes: []collectors.Attribute{
			{Name: "classified", Type: "bool", Doc: "aws.environments classifies the account, directly or through an organisational unit (false when it does not; a gap when the lookup failed)."},
			{Name: "environment", Type: "string", Doc: `"prod" or "nonprod" from aws.environments; a gap when the account is not classified.`},
		}}},
		Permissions: environmentPermissions,
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
		// Not classified is a finding of its own (AWS-ENV-001 fails on
		// it), while the environment stays unknown.
		r.Attributes["classified"] = false
		r.Gaps = append(r.Gaps, unclassified(target.Account))
	default:
		r.Attributes["classified"] = true
		r.Attributes["environment"] = env
	}
	out.Emit(r)
	return nil
}

// accountIDPattern and ouIDPattern are the shapes of AWS account ids and
// organisational unit or root ids (see the Organizations API reference).
var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	ouIDPattern      = regexp.MustCompile(`^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$`)
)

// CheckEnvironment reports what is wrong with one aws.environments entry:
// the key must be an account id, an organisational unit id or a root id,
// and the value "prod" or "nonprod".
func CheckEnvironment(key, value string) error {
	var errs []error
	if value != "prod" && value != "nonprod" {
		errs = append(errs, fmt.Errorf("environment %q: want \"prod\" or \"nonprod\"", value))
	}
	if !accountIDPattern.MatchString(key) && !ouIDPattern.MatchString(key) {
		errs = append(errs, fmt.Errorf("key %q: want a 12-digit account id, an organisational unit id (ou-…) or a root id (r-…)", key))
	}
	return errors.Join(errs...)
}

// unclassified is the gap of an account that aws.environments does not
// classify.
func unclassified(account string) evidence.Gap {
	return evidence.Gap{Attribute: "environment", Kind: evidence.Errored,
		Message: "aws.environments classifies neither account " + account + " nor one of its organisational units, and no aws.environment_tag tag names prod or nonprod"}
}

// environmentPermissions are what resolving an account's environment may
// call, from the caller's (management) account: organizations:ListParents
// when aws.environments names organisational units or the root, and
// organizations:ListTagsForResource when aws.environment_tag is set.
var environmentPermissions = []string{"organizations:ListParents", "organizations:ListTagsForResource"}

// environment returns the configured environment of account, "" when none
// applies: the account's own entry in aws.environments, else its
// aws.environment_tag tag, else the entry of its nearest organisational
// unit (or root). An account outside the organisation (Organizations
// answers ChildNotFoundException or TargetNotFoundException for it, as for
// a vendor's account a role trusts) is unclassified. cache holds the lookups of one collector run: it is never
// shared between runs, so every run records the Organizations responses its
// resources rest on, whatever order the runs are scheduled in.
func (s *Source) environment(ctx context.Context, account string, cache map[string]string) (string, error) {
	envs := s.cfg.Environments
	if env, ok := envs[account]; ok {
		return env, nil
	}
	ous := false
	for k := range envs {
		ous = ous || strings.HasPrefix(k, "ou-") || strings.HasPrefix(k, "r-")
	}
	if !ous && s.cfg.EnvironmentTag == "" {
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
	env, err := s.taggedEnvironment(ctx, cl, account)
	if err != nil {
		return "", err
	}
	for child := account; env == "" && ous; {
		page, err := cl.ListParents(ctx, &organizations.ListParentsInput{ChildId: awssdk.String(child)})
		if child == account && isCode(err, "ChildNotFoundException") {
			break // not an account of the organisation (a vendor's): unclassified
		}
		if err != nil {
			return "", apiError("organizations:ListParents", fmt.Errorf("aws organizations ListParents %s: %w", child, err))
		}
		if len(page.Parents) == 0 {
			break
		}
		parent := page.Parents[0]
		child = awssdk.ToString(parent.Id)
		env = envs[child]
		if parent.Type != "ORGANIZATIONAL_UNIT" {
			break // the root: no further parents
		}
	}
	cache[account] = env
	return env, nil
}

// taggedEnvironment returns the environment the account's
// aws.environment_tag tag names ("prod" or "nonprod", in any case), or ""
// when the tag is not configured, absent, or names neither.
func (s *Source) taggedEnvironment(ctx context.Context, cl *organizations.Client, account string) (string, error) {
	key := s.cfg.EnvironmentTag
	if key == "" {
		return "", nil
	}
	p := organizations.NewListTagsForResourcePaginator(cl, &organizations.ListTagsForResourceInput{ResourceId: awssdk.String(account)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if isCode(err, "TargetNotFoundException") {
			return "", nil // not an account of the organisation: unclassified
		}
		if err != nil {
			return "", apiError("organizations:ListTagsForResource", fmt.Errorf("aws organizations ListTagsForResource %s: %w", account, err))
		}
		for _, t := range page.Tags {
			if awssdk.ToString(t.Key) != key {
				continue
			}
			switch v := strings.ToLower(awssdk.ToString(t.Value)); v {
			case "prod", "nonprod":
				return v, nil
			}
			return "", nil
		}
	}
	return "", nil
}

// crossEnvironment sets on r the environments of the two accounts of a
// network link (attributes attrA and attrB) and cross_environment, which is
// true when one is prod and the other nonprod. An unclassified account, or
// a failed lookup (also reported on out), leaves its attribute and
// cross_environment as gaps; what names the link in the gap's message. It
// returns an error only when ctx ends.
func (s *Source) crossEnvironment(ctx context.Context, out collectors.Sink, r *evidence.Resource, cache map[string]string, what, attrA, accountA, attrB, accountB string) error {
	envs := map[string]string{}
	for _, side := range [2][2]string{{attrA, accountA}, {attrB, accountB}} {
		attr, account := side[0], side[1]
		env, err := s.environment(ctx, account, cache)
		switch {
		case err != nil && ctx.Err() != nil:
			return err
		case err != nil:
			fail(out, r, err, attr)
		case env == "":
			g := unclassified(account)
			g.Attribute = attr
			r.Gaps = append(r.Gaps, g)
		default:
			r.Attributes[attr] = env
			envs[attr] = env
		}
	}
	if len(envs) == 2 {
		r.Attributes["cross_environment"] = envs[attrA] != envs[attrB]
		return nil
	}
	g := r.Gaps[len(r.Gaps)-1]
	g.Attribute, g.Message = "cross_environment", "the environment of an account of "+what+" is unknown: "+g.Message
	r.Gaps = append(r.Gaps, g)
	return nil
}
