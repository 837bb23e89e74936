// Package oktafake serves a small Okta organisation over the Okta management
// API wire format, for the demo and for tests. It answers every read the
// okta collectors make, pages users with Link headers like Okta, requires an
// SSWS token, and refuses any other request.
package oktafake

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

// State is the organisation the fake serves.
type State struct {
	// Token is the API token the fake accepts (Authorization: SSWS Token).
	Token    string
	Users    []User
	Policies []Policy
	// PageSize caps the users per page (Okta: 200), so tests can force
	// paging. 0 means 200.
	PageSize int
	// Refusals records the requests the fake does not serve; set its
	// OnUnexpected to be told (tests pass t.Errorf).
	fakeapi.Refusals
}

// User is an Okta user.
type User struct {
	ID        string
	Login     string // also the e-mail address
	Status    string // ACTIVE, SUSPENDED, DEPROVISIONED, ...
	Created   time.Time
	LastLogin time.Time // zero: never
	Factors   []string  // ACTIVE factor types, e.g. push, token:software:totp
	Roles     []string  // admin role types, e.g. SUPER_ADMIN
}

// Policy is an Okta policy.
type Policy struct {
	ID       string
	Type     string // PASSWORD, MFA_ENROLL, OKTA_SIGN_ON
	Name     string
	Status   string
	Priority int
	System   bool
	// Password settings (PASSWORD).
	MinLength, HistoryCount, MaxAgeDays, LockoutAttempts int
	ExcludeCommon                                        bool
	// Required lists the factors users must enrol (MFA_ENROLL).
	Required []string
	// Rules are the rules of an OKTA_SIGN_ON policy.
	Rules []Rule
}

// Rule is a sign-on policy rule.
type Rule struct {
	Name          string
	Status        string
	Access        string // ALLOW or DENY
	RequireFactor bool
	// SessionIdleMinutes is maxSessionIdleMinutes; 0 means Okta's default
	// of 120.
	SessionIdleMinutes int
	// SessionLifetimeMinutes is maxSessionLifetimeMinutes; 0 means no
	// limit, as in Okta.
	SessionLifetimeMinutes int
}

// NewHandler returns an http.Handler serving s. The state must not be
// changed while it serves.
func NewHandler(s *State) http.Handler {
	return http.HandlerFunc(s.serve)
}

func (s *State) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		s.Refuse(w, r, "oktafake")
		return
	}
	if r.Header.Get("Authorization") != "SSWS "+s.Token {
		writeError(w, http.StatusUnauthorized, "E0000011", "Invalid token provided")
		return
	}
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(segs) < 3 || segs[0] != "api" || segs[1] != "v1" {
		s.Refuse(w, r, "oktafake")
		return
	}
	switch {
	case len(segs) == 3 && segs[2] == "users":
		s.listUsers(w, r)
	case len(segs) == 5 && segs[2] == "users":
		i := slices.IndexFunc(s.Users, func(u User) bool { return u.ID == segs[3] })
		if i < 0 {
			writeError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+segs[3]+" (User)")
			return
		}
		switch segs[4] {
		case "factors":
			writeJSON(w, factors(s.Users[i]))
		case "roles":
			writeJSON(w, roles(s.Users[i]))
		default:
			s.Refuse(w, r, "oktafake")
		}
	case len(segs) == 3 && segs[2] == "policies":
		typ := r.URL.Query().Get("type")
		out := []any{}
		for _, p := range s.Policies {
			if p.Type == typ {
				out = append(out, policyJSON(p))
			}
		}
		writeJSON(w, out)
	case len(segs) == 5 && segs[2] == "policies" && segs[4] == "rules":
		i := slices.IndexFunc(s.Policies, func(p Policy) bool { return p.ID == segs[3] })
		if i < 0 {
			writeError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+segs[3]+" (Policy)")
			return
		}
		out := []any{}
		for n, rl := range s.Policies[i].Rules {
			idle := rl.SessionIdleMinutes
			if idle == 0 {
				idle = 120
			}
			out = append(out, map[string]any{
				"id": fmt.Sprintf("0pr%s%d", s.Policies[i].ID, n), "name": rl.Name, "status": rl.Status, "priority": n + 1,
				"system": false, "type": "SIGN_ON",
				"conditions": map[string]any{"network": map[string]any{"connection": "ANYWHERE"}, "authContext": map[string]any{"authType": "ANY"}},
				"actions": map[string]any{"signon": map[string]any{
					"access": rl.Access, "requireFactor": rl.RequireFactor, "factorPromptMode": "ALWAYS",
					"rememberDeviceByDefault": false, "factorLifetime": 15,
					"session": map[string]any{"usePersistentCookie": false, "maxSessionIdleMinutes": idle, "maxSessionLifetimeMinutes": rl.SessionLifetimeMinutes},
				}},
			})
		}
		writeJSON(w, out)
	default:
		s.Refuse(w, r, "oktafake")
	}
}

// listUsers pages users like Okta: limit and an opaque after cursor, with a
// Link rel="next" header. Without search, DEPROVISIONED users are left out;
// search=status eq "X" selects one status.
func (s *State) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var sel []User
	search := q.Get("search")
	for _, u := range s.Users {
		switch {
		case search == "" && u.Status != "DEPROVISIONED":
			sel = append(sel, u)
		case search == `status eq "`+u.Status+`"`:
			sel = append(sel, u)
		case search != "" && !strings.HasPrefix(search, `status eq "`):
			writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.")
			return
		}
	}
	limit := s.PageSize
	if limit <= 0 {
		limit = 200
	}
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l > 0 && l < limit {
		limit = l
	}
	start := 0
	if after := q.Get("after"); after != "" {
		start = slices.IndexFunc(sel, func(u User) bool { return u.ID == after }) + 1
	}
	end := min(start+limit, len(sel))
	page := []any{}
	for _, u := range sel[start:end] {
		page = append(page, userJSON(u))
	}
	self := *r.URL
	self.Scheme, self.Host = "http", r.Host
	if r.TLS != nil {
		self.Scheme = "https"
	}
	w.Header().Add("Link", "<"+self.String()+`>; rel="self"`)
	if end < len(sel) {
		nq := self.Query()
		nq.Set("after", sel[end-1].ID)
		nq.Set("limit", strconv.Itoa(limit))
		self.RawQuery = nq.Encode()
		w.Header().Add("Link", "<"+self.String()+`>; rel="next"`)
	}
	writeJSON(w, page)
}

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func userJSON(u User) map[string]any {
	return map[string]any{
		"id": u.ID, "status": u.Status, "created": ts(u.Created), "activated": ts(u.Created),
		"statusChanged": ts(u.Created), "lastLogin": ts(u.LastLogin), "lastUpdated": ts(u.Created),
		"passwordChanged": ts(u.Created), "type": map[string]any{"id": "oty1demo"},
		"profile":     map[string]any{"login": u.Login, "email": u.Login},
		"credentials": map[string]any{"password": map[string]any{}, "provider": map[string]any{"type": "OKTA", "name": "OKTA"}},
	}
}

func factors(u User) []any {
	out := []any{}
	for n, f := range u.Factors {
		out = append(out, map[string]any{
			"id": fmt.Sprintf("fac%s%d", u.ID, n), "factorType": f, "provider": "OKTA", "vendorName": "OKTA",
			"status": "ACTIVE", "created": ts(u.Created), "lastUpdated": ts(u.Created),
		})
	}
	return out
}

func roles(u User) []any {
	out := []any{}
	for n, r := range u.Roles {
		out = append(out, map[string]any{
			"id": fmt.Sprintf("ra%s%d", u.ID, n), "label": r, "type": r, "status": "ACTIVE",
			"created": ts(u.Created), "lastUpdated": ts(u.Created), "assignmentType": "USER",
		})
	}
	return out
}

func policyJSON(p Policy) map[string]any {
	out := map[string]any{
		"id": p.ID, "type": p.Type, "name": p.Name, "status": p.Status, "priority": p.Priority, "system": p.System,
		"conditions": map[string]any{"people": map[string]any{"groups": map[string]any{"include": []string{"00g1everyone"}}}},
	}
	switch p.Type {
	case "PASSWORD":
		out["settings"] = map[string]any{"password": map[string]any{
			"complexity": map[string]any{"minLength": p.MinLength, "minLowerCase": 1, "minUpperCase": 1, "minNumber": 1, "minSymbol": 0,
				"excludeUsername": true, "dictionary": map[string]any{"common": map[string]any{"exclude": p.ExcludeCommon}}},
			"age":     map[string]any{"maxAgeDays": p.MaxAgeDays, "expireWarnDays": 0, "minAgeMinutes": 0, "historyCount": p.HistoryCount},
			"lockout": map[string]any{"maxAttempts": p.LockoutAttempts, "autoUnlockMinutes": 0, "showLockoutFailures": false},
		}}
	case "MFA_ENROLL":
		fs := map[string]any{}
		for _, f := range p.Required {
			fs[f] = map[string]any{"consent": map[string]any{"type": "NONE"}, "enroll": map[string]any{"self": "REQUIRED"}}
		}
		out["settings"] = map[string]any{"type": "FACTORS", "factors": fs}
	}
	return out
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Rate-Limit-Limit", "600")
	w.Header().Set("X-Rate-Limit-Remaining", "599")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, summary string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "oaeDemo", "errorCauses": []any{},
	})
}
