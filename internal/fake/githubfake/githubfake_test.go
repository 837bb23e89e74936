package githubfake

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRefusesWrites(t *testing.T) {
	t.Parallel()
	s := Demo()
	var refused []string
	s.OnUnexpected = func(format string, args ...any) { refused = append(refused, format) }
	h := NewHandler(s)
	for _, m := range []string{http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(m, "/orgs/"+DemoOrg, strings.NewReader("{}")))
		if rec.Code != http.StatusInternalServerError {
			t.Errorf("%s: status %d, want 500", m, rec.Code)
		}
	}
	if len(refused) != 4 || len(s.Unexpected()) != 4 {
		t.Errorf("refused %d requests, want 4", len(refused))
	}
}

func TestLinkPagination(t *testing.T) {
	t.Parallel()
	s := Demo()
	h := NewHandler(s)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/orgs/"+DemoOrg+"/members?per_page=3", nil))
	link := rec.Header().Get("Link")
	if !strings.Contains(link, `page=2`) || !strings.Contains(link, `rel="next"`) {
		t.Errorf("Link = %q, want a next page", link)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/orgs/"+DemoOrg+"/members?per_page=3&page=2", nil))
	if got := rec.Body.String(); !strings.Contains(got, `"dave"`) || strings.Contains(got, `"alice"`) {
		t.Errorf("page 2 = %s", got)
	}
}
