package gitlab

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

func hasSkip(s *apitest.Sink, suffix string) bool {
	return slices.ContainsFunc(s.Skipped, func(k evidence.Skip) bool { return strings.HasSuffix(k.Resource, suffix) })
}

func TestInvitationsAndAuditEventsFromDocsExamples(t *testing.T) {
	t.Parallel()
	s, err := run(t, testSource(newServer(t, groupFixtures), nil), "gitlab.groups", nil)
	if err != nil || len(s.Failures) != 0 {
		t.Fatalf("err %v failures %v", err, s.Failures)
	}
	gs := s.ByType(typeGroup)
	top, bar := gs[0].Attributes, gs[1].Attributes
	if top["pending_invitations"] != 2 || top["oldest_invitation_at"] != "2010-12-02T09:00:00Z" {
		t.Errorf("invitations over two pages: %v %v", top["pending_invitations"], top["oldest_invitation_at"])
	}
	if top["audit_events_available"] != true || top["newest_audit_event_at"] != "2011-01-28T19:36:44Z" {
		t.Errorf("audit events: %v %v", top["audit_events_available"], top["newest_audit_event_at"])
	}
	if bar["pending_invitations"] != 0 || bar["oldest_invitation_at"] != "" {
		t.Errorf("bar invitations: %v", bar)
	}
	if _, ok := bar["audit_events_available"]; ok {
		t.Errorf("audit events read for a subgroup: %v", bar)
	}
	if _, ok := top["external_members"]; ok || !hasGap(gs[0], "external_members", evidence.Denied) || !hasSkip(s, "#external_members") {
		t.Errorf("external members must be a gap and a scope note: %v %v %v", top["external_members"], gs[0].Gaps, s.Skipped)
	}
	if hasGap(gs[1], "external_members", evidence.Denied) {
		t.Errorf("external_members gap on a subgroup: %v", gs[1].Gaps)
	}
}

func TestInvitationsKeysetLinkIsFollowed(t *testing.T) {
	t.Parallel()
	fx := groupFixtures.With(fixtures{
		"/api/v4/groups/twitter/invitations": {Body: "invitations_page1.json", Header: map[string]string{
			"Link": `<{server}/api/v4/groups/twitter/invitations?cursor=eyJpZCI6IjEifQ&pagination=keyset&per_page=100>; rel="next"`,
		}},
		"/api/v4/groups/twitter/invitations?cursor=eyJpZCI6IjEifQ&pagination=keyset": {Body: "invitations_page2.json"},
	})
	s, err := run(t, testSource(newServer(t, fx), nil), "gitlab.groups", nil)
	if err != nil || s.ByType(typeGroup)[0].Attributes["pending_invitations"] != 2 {
		t.Fatalf("err %v, %v; want both pages", err, s.ByType(typeGroup)[0].Attributes)
	}
}

func TestInvitationsAndAuditEventsDeniedAreGaps(t *testing.T) {
	t.Parallel()
	fx := groupFixtures.With(fixtures{"/api/v4/groups/twitter/invitations": forbidden, auditKey: forbidden})
	s, err := run(t, testSource(newServer(t, fx), nil), "gitlab.groups", nil)
	if err != nil || len(s.Failures) != 0 {
		t.Fatalf("err %v failures %v; a denial below Owner is a gap like members' 2FA", err, s.Failures)
	}
	top := s.ByType(typeGroup)[0]
	for _, a := range append(slices.Clone(invitationAttrs), auditAttrs...) {
		if _, ok := top.Attributes[a]; ok || !hasGap(top, a, evidence.Denied) {
			t.Errorf("%s: %v gaps %v", a, top.Attributes[a], top.Gaps)
		}
	}
	for _, g := range top.Gaps {
		if (g.Attribute == "pending_invitations" || g.Attribute == "audit_events_available") && g.Permission != "read_api scope and the Owner role" {
			t.Errorf("%s permission %q", g.Attribute, g.Permission)
		}
	}
}

func TestAuditEventsWithoutTheTierAreAScopeNote(t *testing.T) {
	t.Parallel()
	for name, r := range map[string]reply{"404": {Status: 404, Body: `{"message":"404 Not Found"}`}, "licence": licence} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := run(t, testSource(newServer(t, groupFixtures.With(fixtures{auditKey: r})), nil), "gitlab.groups", nil)
			if err != nil || len(s.Failures) != 0 {
				t.Fatalf("err %v failures %v", err, s.Failures)
			}
			top := s.ByType(typeGroup)[0]
			if top.Attributes["audit_events_available"] != false || !hasGap(top, "newest_audit_event_at", evidence.Denied) || !hasSkip(s, "#audit_events") {
				t.Errorf("attrs %v gaps %v skips %v", top.Attributes, top.Gaps, s.Skipped)
			}
		})
	}
}

func TestInvitationsAbsentIsAFailure(t *testing.T) {
	t.Parallel()
	s, err := run(t, testSource(newServer(t, groupFixtures.With(fixtures{"/api/v4/groups/twitter/invitations": notFound})), nil), "gitlab.groups", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Kinds(), []evidence.FailureKind{evidence.Errored}) {
		t.Fatalf("kinds %v, want one errored failure", s.Kinds())
	}
	if top := s.ByType(typeGroup)[0]; !hasGap(top, "pending_invitations", evidence.Errored) || top.Attributes["audit_events_available"] != true {
		t.Errorf("attrs %v gaps %v", top.Attributes, top.Gaps)
	}
}

func TestInvitationsThrottled(t *testing.T) {
	t.Parallel()
	s, err := run(t, testSource(newServer(t, groupFixtures.With(fixtures{"/api/v4/groups/twitter/invitations": rateLimited})), nil), "gitlab.groups", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(s.Kinds(), evidence.Throttled) {
		t.Fatalf("kinds %v, want throttled", s.Kinds())
	}
	if top := s.ByType(typeGroup)[0]; !hasGap(top, "pending_invitations", evidence.Throttled) {
		t.Errorf("gaps %v", top.Gaps)
	}
}

func TestAuditEventsHangUntilTheDeadline(t *testing.T) {
	t.Parallel()
	hang, _ := apitest.Blocking()
	srv := newServer(t, groupFixtures.With(fixtures{auditKey: hang}))
	hc := srv.Client()
	hc.Timeout = 200 * time.Millisecond
	s, err := run(t, testSource(srv, func(c *Config) { c.HTTPClient = hc }), "gitlab.groups", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Kinds(), []evidence.FailureKind{evidence.Timeout}) {
		t.Fatalf("kinds %v, want timeout", s.Kinds())
	}
	if top := s.ByType(typeGroup)[0]; !hasGap(top, "newest_audit_event_at", evidence.Timeout) || top.Attributes["pending_invitations"] != 2 {
		t.Errorf("attrs %v gaps %v", top.Attributes, top.Gaps)
	}
}

func TestCancelledDuringInvitations(t *testing.T) {
	t.Parallel()
	hang, started := apitest.Blocking()
	srv := newServer(t, groupFixtures.With(fixtures{"/api/v4/groups/twitter/invitations": hang}))
	_, err := run(t, testSource(srv, nil), "gitlab.groups", started)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

// auditEventAt is a one-event page of group audit events in the shape of
// GitLab's documented example, created at t.
func auditEventAt(t string) reply {
	return reply{Body: `[{"id":3,"author_id":1,"entity_id":6,"entity_type":"Group","event_name":"group_membership_lock_updated",` +
		`"details":{"change":"membership_lock","from":"false","to":"true","author_name":"Administrator","target_id":"twitter",` +
		`"target_type":"Group","target_details":"twitter","ip_address":"127.0.0.1","entity_path":"twitter"},"created_at":"` + t + `"}]`}
}

// TestAuditEventsQuietGroupReadsEarlierWindows has no event in the last
// two 30-day windows and one in the third: the collector reads the
// windows newest first and stops at the first with an event (the fixture
// server fails the test on a request for a fourth window).
func TestAuditEventsQuietGroupReadsEarlierWindows(t *testing.T) {
	t.Parallel()
	fx := groupFixtures.With(fixtures{auditKey: {Body: "[]"}, auditWindowKey(1): {Body: "[]"}, auditWindowKey(2): auditEventAt("2010-11-20T08:00:00.000Z")})
	s, err := run(t, testSource(newServer(t, fx), nil), "gitlab.groups", nil)
	if err != nil || len(s.Failures) != 0 {
		t.Fatalf("err %v failures %v", err, s.Failures)
	}
	top := s.ByType(typeGroup)[0]
	if top.Attributes["audit_events_available"] != true || top.Attributes["newest_audit_event_at"] != "2010-11-20T08:00:00Z" || hasGap(top, "newest_audit_event_at", evidence.Errored) {
		t.Errorf("attrs %v gaps %v", top.Attributes, top.Gaps)
	}
}

// TestAuditEventsNoneInTheLookbackIsAGap: a group without any event in
// twelve windows is served but quiet; the newest event is unknown, a gap,
// not an empty value a rule could fail on.
func TestAuditEventsNoneInTheLookbackIsAGap(t *testing.T) {
	t.Parallel()
	s, err := run(t, testSource(newServer(t, groupFixtures.With(quietAudit())), nil), "gitlab.groups", nil)
	if err != nil || len(s.Failures) != 0 {
		t.Fatalf("err %v failures %v", err, s.Failures)
	}
	top := s.ByType(typeGroup)[0]
	_, has := top.Attributes["newest_audit_event_at"]
	if top.Attributes["audit_events_available"] != true || has || !hasGap(top, "newest_audit_event_at", evidence.Errored) {
		t.Fatalf("attrs %v gaps %v", top.Attributes, top.Gaps)
	}
	for _, r := range s.Resources {
		for _, g := range r.Gaps {
			if g.Attribute == "newest_audit_event_at" && !strings.Contains(g.Message, "since 2010-02-06") {
				t.Errorf("gap %+v does not say how far back attest looked", g)
			}
		}
	}
}

// TestAuditEventsNewestIsOnTheFirstPage: a window of two pages is read
// once, as GitLab lists audit events newest first (the fixture server fails
// the test on a request for page 2).
func TestAuditEventsNewestIsOnTheFirstPage(t *testing.T) {
	t.Parallel()
	first := auditEventAt("2011-01-30T10:00:00.000Z")
	first.Header = pages("/api/v4/groups/twitter/audit_events")
	s, err := run(t, testSource(newServer(t, groupFixtures.With(fixtures{auditKey: first})), nil), "gitlab.groups", nil)
	if err != nil || len(s.Failures) != 0 {
		t.Fatalf("err %v failures %v", err, s.Failures)
	}
	if top := s.ByType(typeGroup)[0]; top.Attributes["newest_audit_event_at"] != "2011-01-30T10:00:00Z" {
		t.Errorf("attrs %v gaps %v", top.Attributes, top.Gaps)
	}
}

// TestAuditEventsThrottledInAnEarlierWindow: the first window answered, so
// the events are served; the newest is unknown once an earlier window is
// throttled.
func TestAuditEventsThrottledInAnEarlierWindow(t *testing.T) {
	t.Parallel()
	fx := groupFixtures.With(fixtures{auditKey: {Body: "[]"}, auditWindowKey(1): rateLimited})
	s, err := run(t, testSource(newServer(t, fx), nil), "gitlab.groups", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Kinds(), []evidence.FailureKind{evidence.Throttled}) {
		t.Fatalf("kinds %v, want throttled", s.Kinds())
	}
	top := s.ByType(typeGroup)[0]
	if top.Attributes["audit_events_available"] != true || !hasGap(top, "newest_audit_event_at", evidence.Throttled) || hasGap(top, "audit_events_available", evidence.Throttled) {
		t.Errorf("attrs %v gaps %v", top.Attributes, top.Gaps)
	}
}

func TestCancelledDuringAuditEvents(t *testing.T) {
	t.Parallel()
	hang, started := apitest.Blocking()
	srv := newServer(t, groupFixtures.With(fixtures{auditKey: {Body: "[]"}, auditWindowKey(1): hang}))
	_, err := run(t, testSource(srv, nil), "gitlab.groups", started)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}
