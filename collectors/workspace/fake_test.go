package workspace_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/internal/gcptest"
	"github.com/attestdev/attest/collectors/workspace"
	"github.com/attestdev/attest/internal/fake/workspacefake"
)

// TestFake collects the demo directory in pages of two users.
func TestFake(t *testing.T) {
	t.Parallel()
	st := workspacefake.DemoAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	st.PageSize = 2
	st.OnUnexpected = t.Errorf
	srv := httptest.NewServer(workspacefake.NewHandler(st))
	t.Cleanup(srv.Close)
	src := workspace.NewSource(workspace.Config{Customer: workspacefake.DemoCustomer, Endpoint: srv.URL + "/", HTTPClient: srv.Client()})
	jobs, err := src.Plan(t.Context(), func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	s, err := gcptest.Run(t, jobOf(t, jobs, "workspace.users").Collector, jobs[0].Target, nil)
	if err != nil {
		t.Fatal(err)
	}
	gcptest.CheckAttributes(t, src.Collectors(), s.Resources)
	users := s.ByType("workspace.user")
	if len(users) != 6 || len(s.ByType("identity.account")) != 6 {
		t.Fatalf("got %d users, want 6 users and 6 accounts", len(users))
	}
	var supers, no2sv int
	for _, u := range users {
		if u.Attributes["super_admin"] == true {
			supers++
		}
		if u.Attributes["enrolled_2sv"] == false && u.Attributes["suspended"] == false {
			no2sv++
		}
	}
	if supers != 2 || no2sv != 2 {
		t.Errorf("super admins = %d, active without 2SV = %d; want 2 and 2", supers, no2sv)
	}
	// WS-006 fails on alice (two third-party apps) and passes on the other
	// active users; suspended erin is not asked.
	g, err := gcptest.Run(t, jobOf(t, jobs, "workspace.tokens").Collector, jobs[0].Target, nil)
	if err != nil {
		t.Fatal(err)
	}
	gcptest.CheckAttributes(t, src.Collectors(), g.Resources)
	grants := map[string]any{}
	for _, r := range g.ByType("workspace.user_oauth_grants") {
		grants[r.Name] = r.Attributes["grants"]
	}
	want := map[string]any{"alice@acme-demo.example": 2, "bob@acme-demo.example": 0, "carol@acme-demo.example": 0, "dave@acme-demo.example": 0, "frank@acme-demo.example": 0}
	if diff := cmp.Diff(want, grants); diff != "" {
		t.Errorf("grants (-want +got):\n%s", diff)
	}
	// WS-007 passes on the root organisational unit and fails on sales;
	// the two policies come in two pages.
	p, err := gcptest.Run(t, jobOf(t, jobs, "workspace.policies.drive_sharing").Collector, jobs[0].Target, nil)
	if err != nil {
		t.Fatal(err)
	}
	gcptest.CheckAttributes(t, src.Collectors(), p.Resources)
	modes := map[string]any{}
	for _, r := range p.ByType("workspace.drive_sharing_policy") {
		modes[r.Name] = r.Attributes["external_sharing_mode"]
	}
	if diff := cmp.Diff(map[string]any{"orgUnits/03ph8a2z1enx4lx": "ALLOWLISTED_DOMAINS", "orgUnits/03ph8a2z3sales7": "ALLOWED"}, modes); diff != "" {
		t.Errorf("drive sharing modes (-want +got):\n%s", diff)
	}
}

// jobOf returns the job of collector id.
func jobOf(t *testing.T, jobs []collectors.Job, id string) collectors.Job {
	t.Helper()
	for _, j := range jobs {
		if j.Collector.Describe().ID == id {
			return j
		}
	}
	t.Fatalf("no job for %s", id)
	return collectors.Job{}
}
