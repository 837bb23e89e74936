package okta

import (
	"cmp"
	"context"

	"net/url"
	"slices"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// PoliciesCollector reads the organisation's password, MFA enrolment and
// global sign-on policies, and the rules of each sign-on policy.
//
// Okta API docs:
//   - https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Policy/#tag/Policy/operation/listPolicies (GET /api/v1/policies?type=PASSWORD|MFA_ENROLL|OKTA_SIGN_ON)
//   - https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Policy/#tag/Policy/operation/listPolicyRules (GET /api/v1/policies/{id}/rules)
type PoliciesCollector struct{ src *Source }

const (
	opListPolicies = "GET /api/v1/policies"
	opListRules    = "GET /api/v1/policies/{id}/rules"
	typePassword   = "okta.password_policy"
	typeMFAEnroll  = "okta.mfa_enroll_policy"
	typeSignOn     = "okta.sign_on_policy"
)

// notSecondFactors are enrolment keys that are not a second factor.
var notSecondFactors = []string{"okta_password", "okta_question", "security_question"}

// Describe returns the collector's metadata.
func (c *PoliciesCollector) Describe() collectors.Descriptor {
	common := func(extra ...collectors.Attribute) []collectors.Attribute {
		return append([]collectors.Attribute{
			{Name: "status", Type: "string", Doc: "ACTIVE or INACTIVE."},
			{Name: "priority", Type: "int", Doc: "Evaluation order; 1 is evaluated first."},
			{Name: "system", Type: "bool", Doc: "The policy is Okta's built-in default policy."},
		}, extra...)
	}
	return collectors.Descriptor{
		ID: "okta.policies", Version: 2, Source: SourceName,
		Title: "Okta password, MFA enrolment and sign-on policies",
		ResourceTypes: []collectors.ResourceType{
			{Name: typePassword, Doc: "An Okta password policy. ID is the policy's API URL.", Attributes: common(
				collectors.Attribute{Name: "min_length", Type: "int", Doc: "Minimum password length."},
				collectors.Attribute{Name: "min_lower_case", Type: "int", Doc: "Minimum number of lower-case letters."},
				collectors.Attribute{Name: "min_upper_case", Type: "int", Doc: "Minimum number of upper-case letters."},
				collectors.Attribute{Name: "min_number", Type: "int", Doc: "Minimum number of digits."},
				collectors.Attribute{Name: "min_symbol", Type: "int", Doc: "Minimum number of symbols."},
				collectors.Attribute{Name: "exclude_common", Type: "bool", Doc: "Common passwords are refused (dictionary check)."},
				collectors.Attribute{Name: "history_count", Type: "int", Doc: "Number of previous passwords that cannot be reused."},
				collectors.Attribute{Name: "max_age_days", Type: "int", Doc: "Days until a password expires; 0 means never."},
				collectors.Attribute{Name: "lockout_attempts", Type: "int", Doc: "Failed sign-ins before lockout; 0 means no lockout."},
			)},
			{Name: typeMFAEnroll, Doc: "An Okta MFA enrolment (authenticator enrolment) policy.", Attributes: common(
				collectors.Attribute{Name: "required_factors", Type: "list", Doc: "Factors or authenticators users must enrol (enroll.self REQUIRED), sorted."},
				collectors.Attribute{Name: "required_mfa_factors", Type: "list", Doc: "required_factors without the password and security question, which are not second factors."},
			)},
			{Name: typeSignOn, Doc: "An Okta global session (OKTA_SIGN_ON) policy with its rules.", Attributes: common(
				collectors.Attribute{Name: "active_rules", Type: "int", Doc: "Number of ACTIVE rules."},
				collectors.Attribute{Name: "rules_allowing_without_mfa", Type: "int", Doc: "ACTIVE rules that allow sign-in without requiring a second factor."},
				collectors.Attribute{Name: "allow_rules", Type: "int", Doc: "ACTIVE rules that allow sign-in (access ALLOW), and so open sessions."},
				collectors.Attribute{Name: "rules_without_session_lifetime", Type: "int", Doc: "ACTIVE ALLOW rules whose sessions have no maximum lifetime (actions.signon.session.maxSessionLifetimeMinutes 0 or absent)."},
				collectors.Attribute{Name: "max_session_lifetime_minutes", Type: "int", Doc: "The longest maximum session lifetime, in minutes, of the ACTIVE ALLOW rules that set one (0 when none does)."},
				collectors.Attribute{Name: "max_session_idle_minutes", Type: "int", Doc: "The longest session idle timeout, in minutes, of the ACTIVE ALLOW rules (actions.signon.session.maxSessionIdleMinutes; 0 when there is no such rule)."},
			)},
		},
		Permissions: []string{scopePolicies},
	}
}

type policy struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Status   string `json:"status"`
	Priority int    `json:"priority"`
	System   bool   `json:"system"`
	Settings struct {
		Password *struct {
			Complexity struct {
				MinLength    int `json:"minLength"`
				MinLowerCase int `json:"minLowerCase"`
				MinUpperCase int `json:"minUpperCase"`
				MinNumber    int `json:"minNumber"`
				MinSymbol    int `json:"minSymbol"`
				Dictionary   struct {
					Common struct {
						Exclude bool `json:"exclude"`
					} `json:"common"`
				} `json:"dictionary"`
			} `json:"complexity"`
			Age struct {
				MaxAgeDays   int `json:"maxAgeDays"`
				HistoryCount int `json:"historyCount"`
			} `json:"age"`
			Lockout struct {
				MaxAttempts int `json:"maxAttempts"`
			} `json:"lockout"`
		} `json:"password"`
		// Factors is the Classic Engine MFA enrolment setting, keyed by
		// factor name.
		Factors map[string]enrolment `json:"factors"`
		// Authenticators is the Identity Engine setting.
		Authenticators []struct {
			Key    string `json:"key"`
			Enroll struct {
				Self string `json:"self"`
			} `json:"enroll"`
		} `json:"authenticators"`
	} `json:"settings"`
}

type enrolment struct {
	Enroll struct {
		Self string `json:"self"`
	} `json:"enroll"`
}

type rule struct {
	Status  string `json:"status"`
	Actions struct {
		Signon *struct {
			Access        string `json:"access"`
			RequireFactor bool   `json:"requireFactor"`
			Session       *struct {
				MaxSessionIdleMinutes     int `json:"maxSessionIdleMinutes"`
				MaxSessionLifetimeMinutes int `json:"maxSessionLifetimeMinutes"`
			} `json:"session"`
		} `json:"signon"`
	} `json:"actions"`
}

// Collect reads the policies of the organisation target.Account. A policy
// type that cannot be listed is a failure; the other types are still
// collected.
func (c *PoliciesCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	api, err := c.src.api()
	if err != nil {
		return err
	}
	var errs []error
	for _, typ := range []string{"MFA_ENROLL", "OKTA_SIGN_ON", "PASSWORD"} {
		tctx, trace := collectors.WithTrace(ctx)
		var ps []policy
		err := list(tctx, api, opListPolicies+"?type="+typ, scopePolicies, "/api/v1/policies", url.Values{"type": {typ}}, func(p policy) { ps = append(ps, p) })
		if err != nil && !notFound(err) {
			if canceled(err) {
				return err
			}
			out.Fail(collectors.FailureOf(err, api.base.String()))
			errs = append(errs, err)
			continue
		}
		slices.SortFunc(ps, func(a, b policy) int { return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.ID, b.ID)) })
		records := trace.Records()
		for _, p := range ps {
			r := evidence.Resource{
				ID: api.base.JoinPath("/api/v1/policies", p.ID).String(), Name: p.Name, Account: target.Account,
				Attributes: map[string]any{"status": p.Status, "priority": p.Priority, "system": p.System},
				Records:    records,
			}
			switch typ {
			case "PASSWORD":
				r.Type = typePassword
				passwordAttrs(p, &r)
			case "MFA_ENROLL":
				r.Type = typeMFAEnroll
				req, mfa := required(p)
				r.Attributes["required_factors"] = anyList(req)
				r.Attributes["required_mfa_factors"] = anyList(mfa)
			case "OKTA_SIGN_ON":
				r.Type = typeSignOn
				if err := c.rules(ctx, api, p, &r); err != nil {
					if canceled(err) {
						return err
					}
					for _, a := range ruleAttrs {
						r.Gaps = append(r.Gaps, collectors.GapOf(err, a))
					}
					out.Fail(collectors.FailureOf(err, r.ID))
				}
			}
			out.Emit(r)
		}
	}
	if len(errs) == 3 {
		return errs[0]
	}
	return nil
}

func passwordAttrs(p policy, r *evidence.Resource) {
	pw := p.Settings.Password
	if pw == nil {
		for _, a := range []string{"min_length", "min_lower_case", "min_upper_case", "min_number", "min_symbol", "exclude_common", "history_count", "max_age_days", "lockout_attempts"} {
			r.Gaps = append(r.Gaps, evidence.Gap{Attribute: a, Kind: evidence.Errored, Operation: opListPolicies, Message: "the policy has no password settings"})
		}
		return
	}
	for k, v := range map[string]any{
		"min_length": pw.Complexity.MinLength, "min_lower_case": pw.Complexity.MinLowerCase,
		"min_upper_case": pw.Complexity.MinUpperCase, "min_number": pw.Complexity.MinNumber,
		"min_symbol": pw.Complexity.MinSymbol, "exclude_common": pw.Complexity.Dictionary.Common.Exclude,
		"history_count": pw.Age.HistoryCount, "max_age_days": pw.Age.MaxAgeDays, "lockout_attempts": pw.Lockout.MaxAttempts,
	} {
		r.Attributes[k] = v
	}
}

// required returns the factors a policy requires users to enrol, and those
// of them that are second factors.
func required(p policy) (all, mfa []string) {
	all = []string{}
	for k, f := range p.Settings.Factors {
		if f.Enroll.Self == "REQUIRED" {
			all = append(all, k)
		}
	}
	for _, a := range p.Settings.Authenticators {
		if a.Enroll.Self == "REQUIRED" {
			all = append(all, a.Key)
		}
	}
	slices.Sort(all)
	all = slices.Compact(all)
	mfa = []string{}
	for _, k := range all {
		if !slices.Contains(notSecondFactors, k) {
			mfa = append(mfa, k)
		}
	}
	return all, mfa
}

// ruleAttrs are the sign-on policy attributes read from its rules.
var ruleAttrs = []string{"active_rules", "rules_allowing_without_mfa", "allow_rules", "rules_without_session_lifetime", "max_session_lifetime_minutes", "max_session_idle_minutes"}

// rules reads a sign-on policy's rules into r. A policy without rules
// (404) has none. Session limits are read from the ACTIVE rules that allow
// access (a DENY rule opens no session); a rule without session settings
// counts as one without a maximum lifetime, never as a limited one.
func (c *PoliciesCollector) rules(ctx context.Context, api *client, p policy, r *evidence.Resource) error {
	tctx, trace := collectors.WithTrace(ctx)
	active, weak, allow, unlimited, lifetime, idle := 0, 0, 0, 0, 0, 0
	err := list(tctx, api, opListRules, scopePolicies, "/api/v1/policies/"+url.PathEscape(p.ID)+"/rules", nil, func(x rule) {
		if x.Status != "ACTIVE" {
			return
		}
		active++
		s := x.Actions.Signon
		if s == nil || s.Access != "ALLOW" {
			return
		}
		allow++
		if !s.RequireFactor {
			weak++
		}
		if s.Session == nil || s.Session.MaxSessionLifetimeMinutes <= 0 {
			unlimited++
		} else {
			lifetime = max(lifetime, s.Session.MaxSessionLifetimeMinutes)
		}
		if s.Session != nil {
			idle = max(idle, s.Session.MaxSessionIdleMinutes)
		}
	})
	if err != nil && !notFound(err) {
		return err
	}
	r.Records = append(slices.Clone(r.Records), trace.Records()...)
	for k, v := range map[string]int{"active_rules": active, "rules_allowing_without_mfa": weak, "allow_rules": allow,
		"rules_without_session_lifetime": unlimited, "max_session_lifetime_minutes": lifetime, "max_session_idle_minutes": idle} {
		r.Attributes[k] = v
	}
	return nil
}
