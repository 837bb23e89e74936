package diff

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports/internal/fixture"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// drifted returns the fixture with TLS-001 fixed, ENC-001 failing on a new
// bucket, BAK-001 passing, NA-001 removed and a new failing control.
func drifted() *controls.Results {
	r := fixture.Results()
	r.EvaluatedAt = r.EvaluatedAt.Add(24 * 60 * 60 * 1e9)
	for i := range r.Controls {
		c := &r.Controls[i]
		switch c.ID {
		case "TLS-001":
			c.Outcome = controls.Pass
			c.Evidence[0].Findings = c.Evidence[0].Findings[1:]
		case "ENC-001":
			c.Outcome = controls.Fail
			c.Evidence[0].Findings = append(c.Evidence[0].Findings, controls.Finding{ResourceRef: &controls.ResourceRef{Resource: "arn:aws:s3:::new-bucket", Name: "new-bucket"}, Outcome: controls.Fail})
		case "BAK-001":
			c.Outcome = controls.Pass
		}
	}
	r.Controls = append(r.Controls[:2], r.Controls[3:]...)
	r.Controls = append(r.Controls, controls.ControlResult{ID: "ZZ-001", Title: "New low control", Severity: controls.Low, Outcome: controls.Fail})
	return r
}

func TestCompare(t *testing.T) {
	t.Parallel()
	d := Compare(fixture.Results(), drifted())
	got := map[string][]string{}
	for _, c := range d.NewFailures {
		got["new_failures"] = append(got["new_failures"], c.Control)
	}
	for _, c := range d.Fixed {
		got["fixed"] = append(got["fixed"], c.Control)
	}
	for _, c := range d.OtherChanges {
		got["other"] = append(got["other"], c.Control+":"+string(c.Was)+">"+string(c.Now))
	}
	for _, r := range d.NewResources {
		got["new_resources"] = append(got["new_resources"], r.Control+" "+r.Resource)
	}
	for _, r := range d.VanishedResources {
		got["vanished"] = append(got["vanished"], r.Control+" "+r.Resource)
	}
	want := map[string][]string{
		"new_failures":  {"ENC-001", "ZZ-001"},
		"fixed":         {"TLS-001"},
		"other":         {"BAK-001:inconclusive>pass"},
		"new_resources": {"ENC-001 arn:aws:s3:::new-bucket"},
		"vanished":      {"TLS-001 https://old.example.com/"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("drift (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"ENC-001"}, d.Regressions(controls.Medium)); diff != "" {
		t.Errorf("Regressions(medium) (-want +got):\n%s", diff)
	}
	if got := d.Regressions(controls.High); len(got) != 0 {
		t.Errorf("Regressions(high) = %v, want none", got)
	}
	if got := d.Regressions(controls.Low); len(got) != 2 {
		t.Errorf("Regressions(low) = %v, want ENC-001 and ZZ-001", got)
	}
}

func TestNewFailingResourceIsARegression(t *testing.T) {
	t.Parallel()
	cur := fixture.Results()
	for i := range cur.Controls {
		if cur.Controls[i].ID == "TLS-001" {
			cur.Controls[i].Evidence[0].Findings[1].Outcome = controls.Fail
		}
	}
	d := Compare(fixture.Results(), cur)
	if diff := cmp.Diff([]string{"TLS-001 https://www.example.com/"}, d.Regressions(controls.High)); diff != "" {
		t.Errorf("Regressions (-want +got):\n%s", diff)
	}
}

func TestNoDrift(t *testing.T) {
	t.Parallel()
	d := Compare(fixture.Results(), fixture.Results())
	if !d.Empty() || len(d.Regressions(controls.Low)) != 0 {
		t.Errorf("same results drifted: %+v", d)
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	d := Compare(fixture.Results(), drifted())
	for _, format := range Formats {
		var buf bytes.Buffer
		if err := Write(&buf, format, d); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "golden", t.Name(), "drift."+format)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./reports/diff -update)", err)
		}
		if diff := cmp.Diff(string(want), buf.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", path, diff)
		}
	}
	if err := Write(&bytes.Buffer{}, "xml", d); err == nil {
		t.Error("Write(xml) succeeded")
	}
}

// TestTableStripsControlSequences drifts a control and a resource whose
// names carry ANSI escapes: the terminal table must hold none.
func TestTableStripsControlSequences(t *testing.T) {
	t.Parallel()
	cur := drifted()
	for i := range cur.Controls {
		c := &cur.Controls[i]
		c.ID += "\x1b[2J"
		for j := range c.Evidence {
			for k := range c.Evidence[j].Findings {
				ref := *c.Evidence[j].Findings[k].ResourceRef
				ref.Resource += "\x1b]0;owned\x07"
				c.Evidence[j].Findings[k].ResourceRef = &ref
			}
		}
	}
	var out bytes.Buffer
	if err := Write(&out, "table", Compare(fixture.Results(), cur)); err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsAny(out.Bytes(), "\x1b\x07") {
		t.Errorf("the drift table holds control characters:\n%q", out.String())
	}
}
