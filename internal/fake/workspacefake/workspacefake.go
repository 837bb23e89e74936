// Package workspacefake serves a small Google Workspace directory over the
// Admin SDK Directory API wire format, for the demo and for tests. It answers
// users.list with nextPageToken paging and tokens.list, and refuses any
// other request.
package workspacefake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attestdev/attest/internal/fake/fakeapi"
)

// State is the directory the fake serves.
type State struct {
	// Customer is the customer ID; my_customer is accepted as an alias.
	Customer string
	Users    []User
	// DriveSharing are the Cloud Identity policies of the setting
	// settings/drive_and_docs.external_sharing, served by policies.list.
	DriveSharing []DriveSharing
	// PageSize caps the users per page (Google: 500), so tests can force
	// paging. 0 means 500. It caps policies pages too (Google: 100).
	PageSize int
	// Refusals records the requests the fake does not serve; set its
	// OnUnexpected to be told (tests pass t.Errorf).
	fakeapi.Refusals
}

// User is a Workspace user.
type User struct {
	ID             string
	Email          string
	SuperAdmin     bool
	DelegatedAdmin bool
	Enrolled2SV    bool
	Enforced2SV    bool
	Suspended      bool
	Created        time.Time
	LastLogin      time.Time // zero: never
	// Tokens are the OAuth grants of the user to third-party apps.
	Tokens []Token
}

// DriveSharing is a Cloud Identity policy setting Drive external sharing
// for an organisational unit.
type DriveSharing struct {
	// ID is the policy id (policies/<ID>).
	ID string
	// OrgUnit is the organisational unit id (orgUnits/<OrgUnit>).
	OrgUnit string
	// Mode is externalSharingMode: DISALLOWED, ALLOWLISTED_DOMAINS or ALLOWED.
	Mode string
	// System marks Google's default policy (type SYSTEM) rather than an
	// administrator's (ADMIN).
	System bool
}

// Token is an OAuth token a user granted to an app.
type Token struct {
	ClientID    string
	DisplayText string
	Scopes      []string
}

// NewHandler returns an http.Handler serving s under /admin/directory/v1/.
// The state must not be changed while it serves.
func NewHandler(s *State) http.Handler { return http.HandlerFunc(s.serve) }

func (s *State) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == "/v1/policies" {
		s.servePolicies(w, r)
		return
	}
	if key, ok := strings.CutPrefix(r.URL.Path, "/admin/directory/v1/users/"); ok && r.Method == http.MethodGet {
		if key, ok = strings.CutSuffix(key, "/tokens"); ok && !strings.Contains(key, "/") {
			s.serveTokens(w, key)
			return
		}
	}
	if r.Method != http.MethodGet || r.URL.Path != "/admin/directory/v1/users" {
		s.Refuse(w, r, "workspacefake")
		return
	}
	q := r.URL.Query()
	if c := q.Get("customer"); c != "my_customer" && c != s.Customer {
		writeError(w, http.StatusNotFound, "notFound", "Resource Not Found: customer")
		return
	}
	users := slices.Clone(s.Users)
	slices.SortFunc(users, func(a, b User) int { return strings.Compare(a.Email, b.Email) })
	size := s.PageSize
	if size <= 0 {
		size = 500
	}
	if n, err := strconv.Atoi(q.Get("maxResults")); err == nil && n > 0 && n < size {
		size = n
	}
	start := 0
	if tok := q.Get("pageToken"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "page-"))
		if err != nil || n < 0 || n > len(users) {
			writeError(w, http.StatusBadRequest, "invalid", "Invalid Input: pageToken")
			return
		}
		start = n
	}
	end := min(start+size, len(users))
	out := map[string]any{"kind": "admin#directory#users", "etag": `"demo"`}
	var page []any
	for _, u := range users[start:end] {
		page = append(page, userJSON(s.Customer, u))
	}
	if len(page) > 0 {
		out["users"] = page
	}
	if end < len(users) {
		out["nextPageToken"] = fmt.Sprintf("page-%d", end)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(out)
}

// serveTokens answers tokens.list for the user with id or primary e-mail
// key: {"kind", "etag", "items"}, without items when there are none.
func (s *State) serveTokens(w http.ResponseWriter, key string) {
	i := slices.IndexFunc(s.Users, func(u User) bool { return u.ID == key || strings.EqualFold(u.Email, key) })
	if i < 0 {
		writeError(w, http.StatusNotFound, "notFound", "Resource Not Found: userKey")
		return
	}
	u := s.Users[i]
	out := map[string]any{"kind": "admin#directory#tokenList", "etag": `"tokens-` + u.ID + `"`}
	var items []any
	for _, t := range u.Tokens {
		items = append(items, map[string]any{"kind": "admin#directory#token", "etag": `"` + t.ClientID + `"`, "clientId": t.ClientID,
			"displayText": t.DisplayText, "anonymous": false, "nativeApp": false, "userKey": u.ID, "scopes": t.Scopes})
	}
	if len(items) > 0 {
		out["items"] = items
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(out)
}

func userJSON(customer string, u User) map[string]any {
	last := "1970-01-01T00:00:00.000Z"
	if !u.LastLogin.IsZero() {
		last = u.LastLogin.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	name, _, _ := strings.Cut(u.Email, "@")
	return map[string]any{
		"kind": "admin#directory#user", "id": u.ID, "etag": `"` + u.ID + `"`, "primaryEmail": u.Email,
		"name":    map[string]any{"givenName": name, "familyName": "Demo", "fullName": name + " Demo"},
		"isAdmin": u.SuperAdmin, "isDelegatedAdmin": u.DelegatedAdmin,
		"lastLoginTime": last, "creationTime": u.Created.UTC().Format("2006-01-02T15:04:05.000Z"),
		"agreedToTerms": true, "suspended": u.Suspended, "archived": false, "changePasswordAtNextLogin": false,
		"ipWhitelisted": false, "emails": []any{map[string]any{"address": u.Email, "primary": true}},
		"customerId": customer, "orgUnitPath": "/", "isMailboxSetup": true,
		"isEnrolledIn2Sv": u.Enrolled2SV, "isEnforcedIn2Sv": u.Enforced2SV, "includeInGlobalAddressList": true,
	}
}

func writeError(w http.ResponseWriter, status int, reason, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": status, "message": msg, "errors": []any{map[string]any{"message": msg, "domain": "global", "reason": reason}},
	}})
}

// servePolicies answers Cloud Identity policies.list: the filter must name
// the customer and the Drive external sharing setting type, the only ones
// the fake holds; pages of pageSize (at most 100, or PageSize) with
// nextPageToken.
func (s *State) servePolicies(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	filter := q.Get("filter")
	if !strings.Contains(filter, `customer == "customers/my_customer"`) && !strings.Contains(filter, `customer == "customers/`+s.Customer+`"`) {
		writeError(w, http.StatusBadRequest, "badRequest", "Request contains an invalid argument: customer")
		return
	}
	var items []DriveSharing
	if strings.Contains(filter, `drive_and_docs\\.external_sharing`) {
		items = s.DriveSharing
	}
	size := 100
	if n, err := strconv.Atoi(q.Get("pageSize")); err == nil && n > 0 && n < size {
		size = n
	}
	if s.PageSize > 0 {
		size = min(size, s.PageSize)
	}
	start := 0
	if tok := q.Get("pageToken"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "page-"))
		if err != nil || n < 0 || n > len(items) {
			writeError(w, http.StatusBadRequest, "badRequest", "Request contains an invalid argument: pageToken")
			return
		}
		start = n
	}
	end := min(start+size, len(items))
	out := map[string]any{}
	var page []any
	for i, p := range items[start:end] {
		kind := "ADMIN"
		if p.System {
			kind = "SYSTEM"
		}
		page = append(page, map[string]any{
			"name": "policies/" + p.ID, "customer": "customers/" + s.Customer, "type": kind,
			"policyQuery": map[string]any{"orgUnit": "orgUnits/" + p.OrgUnit, "sortOrder": start + i + 1,
				"query": "entity.org_units.exists(org_unit, org_unit.org_unit_id == orgUnitId('" + p.OrgUnit + "'))"},
			"setting": map[string]any{"type": "settings/drive_and_docs.external_sharing", "value": map[string]any{
				"externalSharingMode": p.Mode, "warnForExternalSharing": true, "allowPublishingFiles": p.Mode == "ALLOWED",
				"allowNonGoogleInvites": p.Mode != "DISALLOWED", "allowReceivingExternalFiles": true,
				"allowedPartiesForDistributingContent": "ELIGIBLE_INTERNAL_USERS", "accessCheckerSuggestions": "RECIPIENTS_OR_AUDIENCE_OR_SHARED_DRIVE",
			}},
		})
	}
	if len(page) > 0 {
		out["policies"] = page
	}
	if end < len(items) {
		out["nextPageToken"] = fmt.Sprintf("page-%d", end)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(out)
}
