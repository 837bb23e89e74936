package reports

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports/internal/fixture"
)

// TestHTMLCapsFindings gives one control 250 failing, 30 inconclusive
// and 1,000 passing resources over two requirements: the page lists the
// first MaxFindings that did not pass (shared by the control's
// requirements), counts the rest with a pointer to the CSV and JSON
// reports, and only counts the passing ones.
func TestHTMLCapsFindings(t *testing.T) {
	t.Parallel()
	res := fixture.Results()
	c := &res.Controls[0]
	req := func(typ string, fail, inconclusive, pass int) controls.RequirementResult {
		rr := controls.RequirementResult{Type: typ, Mode: controls.Each, Rule: "r.ok", Outcome: controls.Fail}
		add := func(n int, o controls.Outcome) {
			for i := range n {
				ref := &controls.ResourceRef{Resource: fmt.Sprintf("%s-%s-%04d", typ, o, i)}
				rr.Findings = append(rr.Findings, controls.Finding{ResourceRef: ref, Outcome: o})
			}
		}
		add(pass, controls.Pass)
		add(fail, controls.Fail)
		add(inconclusive, controls.Inconclusive)
		return rr
	}
	c.Evidence = []controls.RequirementResult{req("t.one", 80, 0, 600), req("t.two", 170, 30, 400)}
	for _, tc := range []struct {
		max                   int
		listed, more1, more2  int
		wantListedInSearch    string
		wantNotListedInSearch string
	}{
		{max: 0, listed: 100, more1: 0, more2: 180, wantListedInSearch: "t.two-fail-0019", wantNotListedInSearch: "t.two-fail-0020"},
		{max: 5, listed: 5, more1: 75, more2: 200, wantListedInSearch: "t.one-fail-0004", wantNotListedInSearch: "t.one-fail-0005"},
		{max: -1, listed: 0, more1: 80, more2: 200, wantNotListedInSearch: "t.one-fail-0000"},
	} {
		var buf bytes.Buffer
		if err := HTMLWith(&buf, res, fixture.Bundle(), HTMLOptions{MaxFindings: tc.max}); err != nil {
			t.Fatal(err)
		}
		page := buf.String()
		i := strings.Index(page, `id="control-`+c.ID+`"`)
		j := strings.Index(page[i:], "</details>")
		section := page[i : i+j]
		if got := strings.Count(section, `<tr data-outcome=`); got != tc.listed {
			t.Errorf("max %d: %d resources listed, want %d", tc.max, got, tc.listed)
		}
		if strings.Contains(section, `<tr data-outcome="pass"`) {
			t.Errorf("max %d: a passing resource is listed", tc.max)
		}
		for _, want := range []string{"Passing resources: 600 ", "Passing resources: 400 "} {
			if !strings.Contains(section, want) {
				t.Errorf("max %d: no %q", tc.max, want)
			}
		}
		for _, n := range []int{tc.more1, tc.more2} {
			want := fmt.Sprintf("Not listed here: %d more resources that did not pass. The CSV and JSON reports list every resource.", n)
			if n > 0 && !strings.Contains(section, want) {
				t.Errorf("max %d: no %q", tc.max, want)
			}
		}
		if tc.more1 == 0 && strings.Count(section, "Not listed here") != 1 {
			t.Errorf("max %d: want one line about unlisted resources", tc.max)
		}
		search := section[strings.Index(section, "data-search="):strings.Index(section, "<summary>")]
		if tc.wantListedInSearch != "" && !strings.Contains(search, tc.wantListedInSearch) {
			t.Errorf("max %d: search misses listed %s", tc.max, tc.wantListedInSearch)
		}
		if strings.Contains(search, tc.wantNotListedInSearch) {
			t.Errorf("max %d: search holds unlisted %s", tc.max, tc.wantNotListedInSearch)
		}
	}
}
