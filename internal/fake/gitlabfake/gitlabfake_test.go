package gitlabfake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestWireFormat checks the fake's paging headers, its Owner-only field,
// its error body and that it refuses what it does not serve.
func TestWireFormat(t *testing.T) {
	t.Parallel()
	st := DemoAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	st.MaxPerPage = 2
	var refused []string
	st.OnUnexpected = func(format string, args ...any) { refused = append(refused, format) }
	srv := httptest.NewServer(NewHandler(st))
	defer srv.Close()
	get := func(path string) (*http.Response, []map[string]any) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out []map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp, out
	}
	resp, members := get("/api/v4/groups/acme-eng/members?per_page=100")
	if len(members) != 2 || resp.Header.Get("X-Next-Page") != "2" || resp.Header.Get("X-Total-Pages") != "2" || !strings.Contains(resp.Header.Get("Link"), `rel="next"`) {
		t.Errorf("page 1: %d members, headers %v", len(members), resp.Header)
	}
	if _, ok := members[0]["two_factor_enabled"]; !ok {
		t.Error("the Owner's token does not see two_factor_enabled")
	}
	resp, members = get("/api/v4/groups/acme-eng/members?per_page=100&page=2")
	if len(members) != 1 || resp.Header.Get("X-Next-Page") != "" {
		t.Errorf("page 2: %d members, X-Next-Page %q", len(members), resp.Header.Get("X-Next-Page"))
	}
	resp, err := http.Get(srv.URL + "/api/v4/groups/nope")
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || body["message"] != "404 Group Not Found" {
		t.Errorf("unknown group: %d %v", resp.StatusCode, body)
	}
	if resp, _ := get("/api/v4/projects/101/repository/files/x"); resp.StatusCode != http.StatusInternalServerError || len(refused) != 1 {
		t.Errorf("unserved route: %d, refused %v", resp.StatusCode, refused)
	}
	other := DemoAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	other.ViewerIsOwner = false
	srv2 := httptest.NewServer(NewHandler(other))
	defer srv2.Close()
	r2, err := http.Get(srv2.URL + "/api/v4/groups/acme-eng/members")
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Body.Close()
	var ms []map[string]any
	_ = json.NewDecoder(r2.Body).Decode(&ms)
	if len(ms) == 0 || ms[0]["two_factor_enabled"] != nil {
		t.Errorf("a non-Owner sees %v", ms)
	}
}
