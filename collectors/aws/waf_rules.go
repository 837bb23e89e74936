package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	waftypes "github.com/aws/aws-sdk-go-v2/service/wafv2/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// webACLAttrs are the attributes a web ACL's rules give the resource it
// filters.
var webACLAttrs = []string{"web_acl_rules", "web_acl_blocking_rules", "web_acl_managed_rule_groups", "web_acl_default_action"}

// webACLAttributes documents webACLAttrs.
var webACLAttributes = []collectors.Attribute{
	{Name: "web_acl_rules", Type: "int", Doc: "Number of rules of the web ACL, 0 without one."},
	{Name: "web_acl_blocking_rules", Type: "int", Doc: "Number of rules that block matching requests: rules with action Block, and rule groups (managed or own) whose action is not overridden to Count. 0 without a web ACL."},
	{Name: "web_acl_managed_rule_groups", Type: "list", Doc: `The managed rule groups the web ACL applies without overriding them to Count, as "vendor/name" (e.g. "AWS/AWSManagedRulesCommonRuleSet"), sorted; empty without a web ACL.`},
	{Name: "web_acl_default_action", Type: "string", Doc: `What the web ACL does with requests no rule matches: "ALLOW" or "BLOCK"; "" without a web ACL.`},
}

// A webACLSummary is what the rules of one WAFv2 web ACL do.
type webACLSummary struct {
	rules, blocking int
	managed         []string
	defaultAction   string
}

// attributes sets the web ACL attributes of r from s.
func (s webACLSummary) attributes(r *evidence.Resource) {
	r.Attributes["web_acl_rules"] = s.rules
	r.Attributes["web_acl_blocking_rules"] = s.blocking
	r.Attributes["web_acl_managed_rule_groups"] = stringList(s.managed)
	r.Attributes["web_acl_default_action"] = s.defaultAction
}

// webACLRules reads the web ACL with ARN aclARN (a WAFv2 ARN of scope
// regional or global, that is CloudFront) and summarises its rules.
func webACLRules(ctx context.Context, cl *wafv2.Client, aclARN string) (webACLSummary, error) {
	a, err := arn.Parse(aclARN)
	parts := strings.Split(a.Resource, "/")
	if err != nil || a.Service != "wafv2" || len(parts) != 4 || parts[1] != "webacl" {
		return webACLSummary{}, fmt.Errorf("aws wafv2 GetWebACL: %q is not a WAFv2 web ACL ARN (AWS WAF Classic web ACLs are not read)", aclARN)
	}
	scope := waftypes.ScopeRegional
	if parts[0] == "global" {
		scope = waftypes.ScopeCloudfront
	}
	got, err := cl.GetWebACL(ctx, &wafv2.GetWebACLInput{Name: awssdk.String(parts[2]), Id: awssdk.String(parts[3]), Scope: scope})
	if err != nil {
		return webACLSummary{}, apiError("wafv2:GetWebACL", fmt.Errorf("aws wafv2 GetWebACL %s: %w", parts[2], err))
	}
	var s webACLSummary
	if got.WebACL == nil {
		return s, fmt.Errorf("aws wafv2 GetWebACL %s: no web ACL in the response", parts[2])
	}
	acl := got.WebACL
	if d := acl.DefaultAction; d != nil {
		switch {
		case d.Block != nil:
			s.defaultAction = "BLOCK"
		case d.Allow != nil:
			s.defaultAction = "ALLOW"
		}
	}
	s.rules = len(acl.Rules)
	for _, r := range acl.Rules {
		group := r.Statement != nil && (r.Statement.ManagedRuleGroupStatement != nil || r.Statement.RuleGroupReferenceStatement != nil)
		switch {
		case r.Action != nil && r.Action.Block != nil:
			s.blocking++
		case group && (r.OverrideAction == nil || r.OverrideAction.Count == nil):
			s.blocking++
			if m := r.Statement.ManagedRuleGroupStatement; m != nil {
				s.managed = append(s.managed, awssdk.ToString(m.VendorName)+"/"+awssdk.ToString(m.Name))
			}
		}
	}
	slices.Sort(s.managed)
	s.managed = slices.Compact(s.managed)
	return s, nil
}

// webACLSummaries reads every web ACL of arns ("" skipped) once,
// concurrently, and returns the summaries and errors by ARN. It returns
// ctx's error when ctx ends.
func (s *Source) webACLSummaries(ctx context.Context, cl *wafv2.Client, arns []string) (map[string]webACLSummary, map[string]error, error) {
	var uniq []string
	for _, a := range arns {
		if a != "" {
			uniq = append(uniq, a)
		}
	}
	slices.Sort(uniq)
	uniq = slices.Compact(uniq)
	sums := make([]webACLSummary, len(uniq))
	errs := make([]error, len(uniq))
	if err := collectors.ForEach(ctx, s.cfg.concurrency(), len(uniq), func(ctx context.Context, i int) {
		sums[i], errs[i] = webACLRules(ctx, cl, uniq[i])
	}); err != nil {
		return nil, nil, fmt.Errorf("aws wafv2 GetWebACL: %w", err)
	}
	out, failed := map[string]webACLSummary{}, map[string]error{}
	for i, a := range uniq {
		if errs[i] != nil {
			failed[a] = errs[i]
			continue
		}
		out[a] = sums[i]
	}
	return out, failed, nil
}

// setWebACL sets the web ACL attributes of every resource of rs from the
// summaries of their web_acl, or gaps where it could not be read (a failure
// reported on out once per web ACL). A resource without a web ACL gets the
// empty summary; one whose web_acl is itself a gap gets gaps.
func setWebACL(out collectors.Sink, rs []evidence.Resource, sums map[string]webACLSummary, errs map[string]error) {
	reported := map[string]bool{}
	for i := range rs {
		r := &rs[i]
		acl, ok := r.Attributes["web_acl"].(string)
		switch {
		case !ok:
			for _, a := range webACLAttrs {
				r.Gaps = append(r.Gaps, evidence.Gap{Attribute: a, Kind: gapKind(r, "web_acl"), Message: "the web ACL of the endpoint is unknown"})
			}
		case acl == "":
			webACLSummary{managed: nil}.attributes(r)
		case errs[acl] != nil:
			for _, a := range webACLAttrs {
				r.Gaps = append(r.Gaps, collectors.GapOf(errs[acl], a))
			}
			if !reported[acl] {
				out.Fail(collectors.FailureOf(errs[acl], acl))
				reported[acl] = true
			}
		default:
			sums[acl].attributes(r)
		}
	}
}

// gapKind returns the kind of r's gap on attr, Errored when it has none.
func gapKind(r *evidence.Resource, attr string) evidence.FailureKind {
	for _, g := range r.Gaps {
		if g.Attribute == attr {
			return g.Kind
		}
	}
	return evidence.Errored
}
