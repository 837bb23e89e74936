package workspace_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/gcp/gcptest"
	"github.com/attestdev/attest/collectors/workspace"
	"github.com/attestdev/attest/collectors/workspace/workspacefake"
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
	s, err := gcptest.Run(t, jobs[0].Collector, jobs[0].Target, nil)
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
}
