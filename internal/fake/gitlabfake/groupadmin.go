package gitlabfake

import (
	"net/http"
	"slices"
	"time"
)

// invitations are g's pending invitations in the wire format of
// GET /groups/:id/invitations
// (https://docs.gitlab.com/api/invitations/#list-all-invitations-pending-for-a-group-or-project).
func invitations(g *Group) []any {
	var out []any
	for _, inv := range g.Invitations {
		out = append(out, map[string]any{
			"id": inv.ID, "invite_email": inv.Email, "created_at": inv.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
			"access_level": inv.AccessLevel, "expires_at": nil, "user_name": inv.Email, "created_by_name": "Administrator",
		})
	}
	return out
}

// auditEvents answers GET /groups/:id/audit_events
// (https://docs.gitlab.com/api/audit_events/#retrieve-all-group-audit-events):
// 404 on Free, 403 below Owner, otherwise the events at or after
// created_after and at or before created_before, newest first.
func (h *handler) auditEvents(w http.ResponseWriter, r *http.Request, g *Group) {
	if h.s.Free {
		writeError(w, http.StatusNotFound, "404 Not Found")
		return
	}
	if !h.s.ViewerIsOwner {
		writeError(w, http.StatusForbidden, "403 Forbidden")
		return
	}
	after, _ := time.Parse(time.RFC3339, r.URL.Query().Get("created_after"))
	before, err := time.Parse(time.RFC3339, r.URL.Query().Get("created_before"))
	if err != nil {
		before = time.Unix(1<<62, 0)
	}
	times := slices.Clone(g.AuditEvents)
	slices.SortFunc(times, func(a, b time.Time) int { return b.Compare(a) })
	var out []any
	for i, t := range times {
		if t.Before(after) || t.After(before) {
			continue
		}
		out = append(out, map[string]any{
			"id": g.ID*1000 + int64(len(times)-i), "author_id": 1, "entity_id": g.ID, "entity_type": "Group", "event_name": "member_created",
			"details": map[string]any{"add": "user_access", "as": "Developer", "author_name": "alice", "target_id": 3, "target_type": "User",
				"target_details": "carol", "custom_message": "", "ip_address": "127.0.0.1", "entity_path": g.Path},
			"created_at": t.UTC().Format("2006-01-02T15:04:05.000Z"),
		})
	}
	h.page(w, r, out)
}
