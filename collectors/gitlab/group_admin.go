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
	// auditWindows is how many windows of auditWindow, newest first, are
	// searched for the newest audit event: about a year.
	auditWindows = 12
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
		{Name: "newest_audit_event_at", Type: "timestamp", Doc: "Top-level groups only: the newest group audit event of about the last year (twelve 30-day windows, the longest period GitLab serves in one query, newest first); a gap when there is none, as a group without changes records none."},
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
// served and the newest of the last year. GitLab serves at most 30 days of
// audit events a query and lists them newest first, so the newest event of
// a window is on its first page: it reads the first page of the last 30
// days and, while a window holds no event, of the 30 days before it, up to
// auditWindows windows. A group without changes records no event, so no
// event in the whole lookback leaves newest_audit_event_at a gap (whether
// events are recorded is unknown), never a finding. A tier without the API
// is a scope note with audit_events_available false; a denial is a gap; any
// other failure is a gap and returned.
func auditEvents(ctx context.Context, client *gl.Client, now time.Time, g group, res *evidence.Resource, out collectors.Sink) error {
	// From the start of that day, so that collections on one day ask
	// the same questions and record the same requests.
	since := now.Add(-auditWindow).UTC().Truncate(24 * time.Hour)
	var before *time.Time
	for range auditWindows {
		events, _, err := client.AuditEvents.ListGroupAuditEvents(g.FullPath,
			&gl.ListAuditEventsOptions{ListOptions: gl.ListOptions{PerPage: 100}, CreatedAfter: &since, CreatedBefore: before}, gl.WithContext(ctx))
		if err != nil {
			return auditError(err, res, out)
		}
		res.Attributes["audit_events_available"] = true
		if newest := newestEvent(events); newest != nil {
			res.Attributes["newest_audit_event_at"] = ts(newest)
			return nil
		}
		before = new(since)
		since = since.Add(-auditWindow)
	}
	res.Gaps = append(res.Gaps, evidence.Gap{Attribute: "newest_audit_event_at", Kind: evidence.Errored, Operation: opListAuditEvents,
		Message: "GitLab served no audit event of the group since " + since.Add(auditWindow).Format(time.DateOnly) +
			": a group without changes records none, so whether its audit events are recorded is unknown, not disproved"})
	return nil
}

// auditError records the failure of a group audit event query on res: a
// gap for each audit attribute not already known (a failure after the first
// window leaves audit_events_available true).
func auditError(err error, res *evidence.Resource, out collectors.Sink) error {
	_, served := res.Attributes["audit_events_available"]
	if !served && tierMissing(err) {
		res.Attributes["audit_events_available"] = false
		res.Gaps = append(res.Gaps, tierGap("newest_audit_event_at", opListAuditEvents, tierPremium))
		collectors.Skip(out, res.ID+"#audit_events", "GitLab Premium feature not available on this instance ("+opListAuditEvents+" answered 404 or 403): group audit events are not served")
		return nil
	}
	err = classify(err, opListAuditEvents, roleOwner)
	for _, a := range auditAttrs {
		if _, ok := res.Attributes[a]; !ok {
			res.Gaps = append(res.Gaps, collectors.GapOf(err, a))
		}
	}
	if collectors.Classify(err) == evidence.Denied {
		return nil
	}
	return err
}

// newestEvent returns when the newest of events was created, or nil when
// none says.
func newestEvent(events []*gl.AuditEvent) *time.Time {
	var newest *time.Time
	for _, e := range events {
		if e != nil && e.CreatedAt != nil && (newest == nil || e.CreatedAt.After(*newest)) {
			newest = e.CreatedAt
		}
	}
	return newest
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
