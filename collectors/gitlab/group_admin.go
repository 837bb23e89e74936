package gitlab

import (
	"context"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// Group-level reads beside the members: pending invitations (every group)
// and audit events (top-level groups).
//
// GitLab API docs:
//   - https://docs.gitlab.com/api/invitations/#list-all-invitations-pending-for-a-group-or-project (GET /groups/:id/invitations)
//   - https://docs.gitlab.com/api/audit_events/#retrieve-all-group-audit-events (GET /groups/:id/audit_events; Premium, Ultimate)
const (
	opListInvitations = "GET /groups/{id}/invitations"
	opListAuditEvents = "GET /groups/{id}/audit_events"
	// auditWindow is the longest period GitLab serves group audit events
	// for in one query (30 days).
	auditWindow = 30 * 24 * time.Hour
)

var (
	invitationAttrs = []string{"pending_invitations", "oldest_invitation_at"}
	auditAttrs      = []string{"audit_events_available", "newest_audit_event_at"}
)

// groupAdminAttributes are the gitlab.group attributes of this file.
func groupAdminAttributes() []collectors.Attribute {
	return []collectors.Attribute{
		{Name: "pending_invitations", Type: "int", Doc: "Invitations to the group (by e-mail) not yet accepted (GET /groups/:id/invitations; Owner)."},
		{Name: "oldest_invitation_at", Type: "timestamp", Doc: "When the oldest pending invitation was sent, or empty when none is pending."},
		{Name: "audit_events_available", Type: "bool", Doc: "Top-level groups only: GitLab serves the group's audit events (Premium or Ultimate); false when the instance answers that it does not (404, or 403 naming the licence)."},
		{Name: "newest_audit_event_at", Type: "timestamp", Doc: "Top-level groups only: the newest group audit event of the last 30 days (the longest period GitLab serves in one query), or empty when there is none."},
		{Name: "external_members", Type: "int", Doc: "Always a gap: GitLab shows a user's external flag only to instance administrators (GET /users), not in the members API; attest does not read it."},
	}
}

// invitations records the pending invitations of g on res. A denial
// (Owner only) is a gap like members' 2FA status; any other failure is a
// gap and returned.
func invitations(ctx context.Context, client *gl.Client, g group, res *evidence.Resource) error {
	var oldest *time.Time
	n := 0
	for inv, err := range gl.Scan2(func(p gl.PaginationOptionFunc) ([]*gl.PendingInvite, *gl.Response, error) {
		return client.Invites.ListPendingGroupInvitations(g.FullPath,
			&gl.ListPendingInvitationsOptions{ListOptions: gl.ListOptions{PerPage: 100}}, reqOpts(ctx, p)...)
	}) {
		if err != nil {
			err = classify(err, opListInvitations, roleOwner)
			for _, a := range invitationAttrs {
				res.Gaps = append(res.Gaps, collectors.GapOf(err, a))
			}
			if collectors.Classify(err) == evidence.Denied {
				return nil
			}
			return err
		}
		n++
		if inv.CreatedAt != nil && (oldest == nil || inv.CreatedAt.Before(*oldest)) {
			oldest = inv.CreatedAt
		}
	}
	res.Attributes["pending_invitations"] = n
	res.Attributes["oldest_invitation_at"] = ts(oldest)
	return nil
}

// auditEvents records whether the top-level group's audit events are
// served and the newest of the last 30 days. It reads one page: GitLab
// lists group audit events newest first, and the newest of any page is a
// lower bound of the newest event, so a control over it never passes on
// an event it did not see. A tier without the API is a scope note with
// audit_events_available false; a denial is a gap; any other failure is a
// gap and returned.
func auditEvents(ctx context.Context, client *gl.Client, now time.Time, g group, res *evidence.Resource, out collectors.Sink) error {
	// From the start of that day, so that collections on one day ask
	// the same question and record the same request.
	since := now.Add(-auditWindow).UTC().Truncate(24 * time.Hour)
	events, _, err := client.AuditEvents.ListGroupAuditEvents(g.FullPath,
		&gl.ListAuditEventsOptions{ListOptions: gl.ListOptions{PerPage: 100}, CreatedAfter: &since}, gl.WithContext(ctx))
	if err != nil {
		if tierMissing(err) {
			res.Attributes["audit_events_available"] = false
			res.Gaps = append(res.Gaps, tierGap("newest_audit_event_at", opListAuditEvents, tierPremium))
			collectors.Skip(out, res.ID+"#audit_events", "GitLab Premium feature not available on this instance ("+opListAuditEvents+" answered 404 or 403): group audit events are not served")
			return nil
		}
		err = classify(err, opListAuditEvents, roleOwner)
		for _, a := range auditAttrs {
			res.Gaps = append(res.Gaps, collectors.GapOf(err, a))
		}
		if collectors.Classify(err) == evidence.Denied {
			return nil
		}
		return err
	}
	var newest *time.Time
	for _, e := range events {
		if e != nil && e.CreatedAt != nil && (newest == nil || e.CreatedAt.After(*newest)) {
			newest = e.CreatedAt
		}
	}
	res.Attributes["audit_events_available"] = true
	res.Attributes["newest_audit_event_at"] = ts(newest)
	return nil
}

// externalGap is the gap of external_members: only instance
// administrators see a user's external flag, so its absence is never "no
// external members".
func externalGap() evidence.Gap {
	return evidence.Gap{
		Attribute: "external_members", Kind: evidence.Denied, Operation: "GET /users", Permission: "GitLab instance administrator",
		Message: "GitLab shows whether a user is external only to instance administrators; the members API does not carry it, so external members are unknown, not absent",
	}
}

// reqOpts are the request options of one page: the context and, after
// the first page, the client's pagination option.
func reqOpts(ctx context.Context, p gl.PaginationOptionFunc) []gl.RequestOptionFunc {
	opts := []gl.RequestOptionFunc{gl.WithContext(ctx)}
	if p != nil {
		opts = append(opts, p)
	}
	return opts
}
