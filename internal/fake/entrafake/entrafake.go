// Package entrafake serves a small Microsoft Entra ID tenant over the
// Microsoft Graph v1.0 wire format, for the demo and for tests. It answers
// every read the entra collectors make, pages collections with
// @odata.nextLink like Graph, answers errors with Graph's error body,
// requires a bearer token, and refuses any other request.
package entrafake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/attestdev/attest/internal/fake/fakeapi"
)

// State is the tenant the fake serves.
type State struct {
	// TenantID is the directory ID.
	TenantID string
	// Token is the bearer token the fake accepts.
	Token string
	// Licensed says the tenant has a Microsoft Entra ID P1/P2 licence:
	// without it, sign-in activity and the registration report answer 403
	// like Graph.
	Licensed bool
	// NoPIM says the licence is P1, without Privileged Identity
	// Management: the eligibility listing answers 400
	// AadPremiumLicenseRequired like Graph (as it does without a licence).
	NoPIM bool
	Users []User
	// Roles are the role definitions; Assignments their active
	// assignments.
	Roles       []Role
	Assignments []Assignment
	// Eligible are the direct eligible (PIM) assignments.
	Eligible []Assignment
	Policies []CAPolicy
	// SecurityDefaults is isEnabled of the security defaults policy.
	SecurityDefaults bool
	// AllowInvitesFrom and GuestUserRoleID are the authorization policy's
	// guest settings.
	AllowInvitesFrom string
	GuestUserRoleID  string
	// PageSize caps the items per page, so tests can force paging. 0
	// means 100.
	PageSize int
	// Refusals records the requests the fake does not serve; set its
	// OnUnexpected to be told (tests pass t.Errorf).
	fakeapi.Refusals
}

// User is a directory user.
type User struct {
	ID, UPN, Mail string
	Guest         bool
	Disabled      bool
	Created       time.Time
	LastSignIn    time.Time // zero: never
	// Methods are the registered authentication methods, e.g.
	// microsoftAuthenticatorPush; MFA says isMfaRegistered.
	Methods []string
	MFA     bool
}

// Role is a role definition.
type Role struct {
	ID, Name string
	BuiltIn  bool
}

// Assignment is an active role assignment of a principal.
type Assignment struct {
	RoleID, PrincipalID string
	// PrincipalType is user, group or servicePrincipal.
	PrincipalType string
}

// CAPolicy is a Conditional Access policy.
type CAPolicy struct {
	ID, Name, State                   string
	IncludeUsers, ExcludeUsers        []string
	IncludeApps                       []string
	ClientAppTypes                    []string
	Controls                          []string
	Operator                          string
	AuthenticationStrengthID          string
	IncludeLocations, ExcludeLocation []string
}

// Credential is a token credential that hands out a fixed token, for
// tests and the demo.
type Credential struct{ Token string }

// GetToken implements azcore.TokenCredential.
func (c Credential) GetToken(ctx context.Context, _ policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if err := ctx.Err(); err != nil {
		return azcore.AccessToken{}, err
	}
	return azcore.AccessToken{Token: c.Token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// NewHandler returns an http.Handler serving s. The state must not be
// changed while it serves.
func NewHandler(s *State) http.Handler { return http.HandlerFunc(s.serve) }

func (s *State) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, "/v1.0/") {
		s.Refuse(w, r, "entrafake")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		writeError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
		return
	}
	ctx := "https://graph.microsoft.com/v1.0/$metadata#"
	switch strings.TrimPrefix(r.URL.Path, "/v1.0") {
	case "/users":
		s.users(w, r)
	case "/reports/authenticationMethods/userRegistrationDetails":
		if !s.Licensed {
			writeLicence(w)
			return
		}
		s.page(w, r, ctx+"reports/authenticationMethods/userRegistrationDetails", s.registrations())
	case "/roleManagement/directory/roleDefinitions":
		s.page(w, r, ctx+"roleManagement/directory/roleDefinitions", s.roleDefinitions())
	case "/roleManagement/directory/roleAssignments":
		if r.URL.Query().Get("$expand") != "principal" {
			s.Refuse(w, r, "entrafake")
			return
		}
		s.page(w, r, ctx+"roleManagement/directory/roleAssignments(principal())", s.roleAssignments())
	case "/roleManagement/directory/roleEligibilityScheduleInstances":
		if r.URL.Query().Get("$expand") != "principal" {
			s.Refuse(w, r, "entrafake")
			return
		}
		if !s.Licensed || s.NoPIM {
			writeError(w, http.StatusBadRequest, "AadPremiumLicenseRequired", "The tenant needs an AAD Premium 2 license.")
			return
		}
		s.page(w, r, ctx+"roleManagement/directory/roleEligibilityScheduleInstances(principal())", s.eligibilities())
	case "/identity/conditionalAccess/policies":
		s.page(w, r, ctx+"identity/conditionalAccess/policies", s.caPolicies())
	case "/policies/identitySecurityDefaultsEnforcementPolicy":
		writeJSON(w, map[string]any{"@odata.context": ctx + "policies/identitySecurityDefaultsEnforcementPolicy/$entity",
			"id": "00000000-0000-0000-0000-000000000005", "displayName": "Security Defaults",
			"description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft.", "isEnabled": s.SecurityDefaults})
	case "/policies/authorizationPolicy":
		writeJSON(w, map[string]any{"@odata.context": ctx + "policies/authorizationPolicy/$entity",
			"id": "authorizationPolicy", "displayName": "Authorization Policy", "allowInvitesFrom": s.AllowInvitesFrom,
			"allowedToSignUpEmailBasedSubscriptions": true, "allowEmailVerifiedUsersToJoinOrganization": false,
			"blockMsolPowerShell": false, "guestUserRoleId": s.GuestUserRoleID,
			"defaultUserRolePermissions": map[string]any{"allowedToCreateApps": true, "allowedToCreateSecurityGroups": true, "allowedToReadOtherUsers": true}})
	default:
		s.Refuse(w, r, "entrafake")
	}
}

// users serves GET /users with $select; signInActivity needs the licence.
func (s *State) users(w http.ResponseWriter, r *http.Request) {
	sel := strings.Split(r.URL.Query().Get("$select"), ",")
	withSignIn := slices.Contains(sel, "signInActivity")
	if withSignIn && !s.Licensed {
		writeLicence(w)
		return
	}
	if top, err := strconv.Atoi(r.URL.Query().Get("$top")); withSignIn && err == nil && top > 120 {
		writeError(w, http.StatusBadRequest, "Request_UnsupportedQuery", "The specified page size is not supported with signInActivity: use $top of at most 120.")
		return
	}
	var out []any
	for _, u := range s.Users {
		m := map[string]any{
			"id": u.ID, "userPrincipalName": u.UPN, "displayName": strings.Split(u.UPN, "@")[0], "mail": nullable(u.Mail),
			"accountEnabled": !u.Disabled, "userType": map[bool]string{false: "Member", true: "Guest"}[u.Guest],
			"createdDateTime": u.Created.UTC().Format(time.RFC3339),
		}
		if withSignIn {
			if u.LastSignIn.IsZero() {
				m["signInActivity"] = nil
			} else {
				t := u.LastSignIn.UTC().Format(time.RFC3339)
				m["signInActivity"] = map[string]any{"lastSignInDateTime": t, "lastSignInRequestId": "c7df2760-2c81-4ef7-b578-5b5392b571df",
					"lastNonInteractiveSignInDateTime": t, "lastNonInteractiveSignInRequestId": "c7df2760-2c81-4ef7-b578-5b5392b571df",
					"lastSuccessfulSignInDateTime": t, "lastSuccessfulSignInRequestId": "c7df2760-2c81-4ef7-b578-5b5392b571df"}
			}
		}
		out = append(out, m)
	}
	s.page(w, r, "https://graph.microsoft.com/v1.0/$metadata#users("+strings.Join(sel, ",")+")", out)
}

func (s *State) registrations() []any {
	var out []any
	for _, u := range s.Users {
		if u.Disabled {
			continue // Graph leaves out disabled users
		}
		out = append(out, map[string]any{
			"id": u.ID, "userPrincipalName": u.UPN, "userDisplayName": strings.Split(u.UPN, "@")[0],
			"userType": map[bool]string{false: "member", true: "guest"}[u.Guest], "isAdmin": s.isAdmin(u.ID),
			"isSsprRegistered": u.MFA, "isSsprEnabled": false, "isSsprCapable": false, "isMfaRegistered": u.MFA, "isMfaCapable": u.MFA,
			"isPasswordlessCapable": false, "methodsRegistered": append([]string{}, u.Methods...),
			"isSystemPreferredAuthenticationMethodEnabled": false, "systemPreferredAuthenticationMethods": []string{},
			"userPreferredMethodForSecondaryAuthentication": "none", "lastUpdatedDateTime": "2026-01-01T00:00:00Z",
		})
	}
	return out
}

func (s *State) isAdmin(id string) bool {
	return slices.ContainsFunc(s.Assignments, func(a Assignment) bool { return a.PrincipalID == id })
}

func (s *State) roleDefinitions() []any {
	var out []any
	for _, r := range s.Roles {
		out = append(out, map[string]any{"id": r.ID, "templateId": r.ID, "displayName": r.Name, "isBuiltIn": r.BuiltIn, "isEnabled": true,
			"description": r.Name + ".", "resourceScopes": []string{"/"}, "rolePermissions": []any{}})
	}
	return out
}

func (s *State) roleAssignments() []any {
	var out []any
	for n, a := range s.Assignments {
		out = append(out, map[string]any{"id": fmt.Sprintf("lAPpYvVpN0KRkAEhdxReE%d-1", n), "principalId": a.PrincipalID,
			"resourceScope": "/", "directoryScopeId": "/", "roleDefinitionId": a.RoleID, "principal": s.principal(a)})
	}
	return out
}

// eligibilities are the unifiedRoleEligibilityScheduleInstance objects of
// the eligible assignments, permanent and direct.
func (s *State) eligibilities() []any {
	var out []any
	for n, a := range s.Eligible {
		out = append(out, map[string]any{"id": fmt.Sprintf("8MYkhImhnkm70CbBdTyW1%d-1-e", n), "principalId": a.PrincipalID,
			"roleDefinitionId": a.RoleID, "directoryScopeId": "/", "appScopeId": nil, "startDateTime": "2025-04-12T14:44:50.287Z",
			"endDateTime": nil, "memberType": "Direct", "roleEligibilityScheduleId": fmt.Sprintf("7e4f5a1c-0000-4d2b-8c3e-%012d", n),
			"principal": s.principal(a)})
	}
	return out
}

// principal is the expanded principal of an assignment.
func (s *State) principal(a Assignment) map[string]any {
	p := map[string]any{"@odata.type": "#microsoft.graph." + a.PrincipalType, "id": a.PrincipalID}
	if i := slices.IndexFunc(s.Users, func(u User) bool { return u.ID == a.PrincipalID }); i >= 0 {
		p["userPrincipalName"], p["accountEnabled"] = s.Users[i].UPN, !s.Users[i].Disabled
	}
	return p
}

func (s *State) caPolicies() []any {
	var out []any
	for _, p := range s.Policies {
		var locations any
		if len(p.IncludeLocations) > 0 {
			locations = map[string]any{"includeLocations": p.IncludeLocations, "excludeLocations": orEmpty(p.ExcludeLocation)}
		}
		var strength any
		if p.AuthenticationStrengthID != "" {
			strength = map[string]any{"id": p.AuthenticationStrengthID, "displayName": "Multifactor authentication", "policyType": "builtIn"}
		}
		out = append(out, map[string]any{
			"id": p.ID, "displayName": p.Name, "state": p.State,
			"createdDateTime": "2025-03-01T09:00:00Z", "modifiedDateTime": nil,
			"conditions": map[string]any{
				"userRiskLevels": []string{}, "signInRiskLevels": []string{}, "clientAppTypes": orEmpty(p.ClientAppTypes),
				"platforms": nil, "locations": locations, "devices": nil,
				"applications": map[string]any{"includeApplications": orEmpty(p.IncludeApps), "excludeApplications": []string{}, "includeUserActions": []string{}},
				"users": map[string]any{"includeUsers": orEmpty(p.IncludeUsers), "excludeUsers": orEmpty(p.ExcludeUsers), "includeGroups": []string{},
					"excludeGroups": []string{}, "includeRoles": []string{}, "excludeRoles": []string{}},
			},
			"grantControls": map[string]any{"operator": p.Operator, "builtInControls": orEmpty(p.Controls), "customAuthenticationFactors": []string{},
				"termsOfUse": []string{}, "authenticationStrength": strength},
			"sessionControls": nil,
		})
	}
	return out
}

// page writes items[start:start+size] as a Graph collection, with an
// @odata.nextLink carrying $skiptoken when more follow.
func (s *State) page(w http.ResponseWriter, r *http.Request, odataContext string, items []any) {
	size := s.PageSize
	if size <= 0 {
		size = 100
	}
	q := r.URL.Query()
	if t, err := strconv.Atoi(q.Get("$top")); err == nil && t > 0 && t < size {
		size = t
	}
	start, _ := strconv.Atoi(q.Get("$skiptoken"))
	start = min(max(start, 0), len(items))
	end := min(start+size, len(items))
	body := map[string]any{"@odata.context": odataContext, "value": append([]any{}, items[start:end]...)}
	if end < len(items) {
		next := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		if r.TLS != nil {
			next.Scheme = "https"
		}
		q.Set("$skiptoken", strconv.Itoa(end))
		next.RawQuery = strings.ReplaceAll(q.Encode(), "%24", "$")
		body["@odata.nextLink"] = next.String()
	}
	writeJSON(w, body)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func orEmpty(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.Header().Set("request-id", "2501535b-2fd7-43e3-87db-c12cbe31fca0")
	_ = json.NewEncoder(w).Encode(v)
}

func writeLicence(w http.ResponseWriter) {
	writeError(w, http.StatusForbidden, "Authentication_RequestFromNonPremiumTenantOrB2CTenant", "Neither tenant is B2C or tenant doesn't have premium license")
}

// writeError writes Graph's error body.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": code, "message": msg,
		"innerError": map[string]any{"date": "2026-01-01T00:00:00", "request-id": "2501535b-2fd7-43e3-87db-c12cbe31fca0", "client-request-id": "2501535b-2fd7-43e3-87db-c12cbe31fca0"},
	}})
}
