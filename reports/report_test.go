package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/defenseunicorns/go-oscal/src/pkg/validation"
	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/attestdev/attest/reports/internal/fixture"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func render(t *testing.T, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, format, fixture.Results(), fixture.Bundle()); err != nil {
		t.Fatalf("Render(%s): %v", format, err)
	}
	return buf.Bytes()
}

// golden compares got with testdata/golden/<test>/<name>, or rewrites it
// with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", t.Name(), name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -update to create it)", err)
	}
	want = bytes.ReplaceAll(want, []byte("\r"), nil)
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, format := range Formats {
		got := render(t, format)
		golden(t, "report"+Extension(format), got)
		if again := render(t, format); !bytes.Equal(got, again) {
			t.Errorf("%s: two renders of the same results differ", format)
		}
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	t.Parallel()
	if err := Render(&bytes.Buffer{}, "pdf", fixture.Results(), nil); err == nil || !strings.Contains(err.Error(), "unknown format") {
		t.Fatalf("Render(pdf) = %v, want unknown format", err)
	}
}

// sharedSchema returns the path of a schema in ../shared/schemas beside the
// repository, or skips the test when it is absent (as in a user's clone).
func sharedSchema(t *testing.T, name string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	path := filepath.Join(dir, "..", "shared", "schemas", name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("schema %s not available (it lives in shared/schemas beside the repository): %v", name, err)
	}
	return path
}

func validateJSONSchema(t *testing.T, schemaPath string, doc []byte) {
	t.Helper()
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatalf("compile %s: %v", schemaPath, err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("document does not match %s:\n%v", filepath.Base(schemaPath), err)
	}
}

func TestSARIFValid(t *testing.T) {
	t.Parallel()
	if err := buildSARIF(fixture.Results()).Validate(); err != nil {
		t.Errorf("go-sarif Validate: %v", err)
	}
	validateJSONSchema(t, sharedSchema(t, "sarif-schema-2.1.0.json"), render(t, "sarif"))
}

func TestSARIFResults(t *testing.T) {
	t.Parallel()
	rep := buildSARIF(fixture.Results())
	run := rep.Runs[0]
	if got := len(run.Tool.Driver.Rules); got != 5 {
		t.Errorf("rules = %d, want one per control (5)", got)
	}
	var got []string
	for _, r := range run.Results {
		got = append(got, *r.RuleID+"/"+r.Kind+"/"+r.Level)
	}
	want := []string{"BAK-001/review/none", "TLS-001/fail/error"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

func TestOSCALValid(t *testing.T) {
	t.Parallel()
	doc := render(t, "oscal")
	v, err := validation.NewValidatorDesiredVersion(doc, OSCALVersion)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Validate(); err != nil {
		res, _ := v.GetValidationResult()
		t.Errorf("go-oscal Validate: %v\n%+v", err, res.Errors)
	}
	validateJSONSchema(t, sharedSchema(t, "oscal_assessment-results_schema.json"), doc)
}

func TestOSCALStableUUIDs(t *testing.T) {
	t.Parallel()
	a := buildOSCAL(fixture.Results(), nil)
	later := fixture.Results()
	later.EvaluatedAt = later.EvaluatedAt.Add(1)
	b := buildOSCAL(later, nil)
	if a.AR.UUID == b.AR.UUID {
		t.Error("different evaluations got the same document UUID")
	}
	if got := stableUUID("x"); got != stableUUID("x") || got[14] != '5' {
		t.Errorf("stableUUID(x) = %s, want a stable version 5 UUID", got)
	}
}

func TestJUnitSchema(t *testing.T) {
	t.Parallel()
	xsd := sharedSchema(t, "junit-10.xsd")
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (Debian package libxml2-utils)")
	}
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := os.WriteFile(path, render(t, "junit"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", xsd, path).CombinedOutput()
	if err != nil {
		t.Errorf("xmllint: %v\n%s", err, out)
	}
}

func TestCSVNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	rows, err := csv.NewReader(bytes.NewReader(render(t, "csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 7 {
		t.Fatalf("rows = %d, want header + 6 findings", len(rows))
	}
	found := false
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q starts like a formula", cell)
			}
			if strings.HasPrefix(cell, "'=HYPERLINK") {
				found = true
			}
		}
	}
	if !found {
		t.Error("the hostile resource name is missing or not prefixed with a quote")
	}
	for in, want := range map[string]string{"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx", "a=b": "a=b", "": ""} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHTMLEscapes(t *testing.T) {
	t.Parallel()
	html := string(render(t, "html"))
	for _, bad := range []string{"<script>alert", "http://evil\")|<"} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML contains unescaped %q", bad)
		}
	}
	if !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("HTML does not show the hostile name escaped")
	}
	for _, ext := range []string{"src=\"http", "href=\"http", "url(http", "@import"} {
		if strings.Contains(html, ext) {
			t.Errorf("HTML references an external asset: %q", ext)
		}
	}
}

func TestMarkdownEscapes(t *testing.T) {
	t.Parallel()
	md := string(render(t, "md"))
	for _, bad := range []string{"<script>", "[x](y)", "**bold**", "\nnext"} {
		if strings.Contains(md, bad) {
			t.Errorf("Markdown contains unescaped %q", bad)
		}
	}
	if got := MarkdownEscape("a|b\n<c>"); got != `a\|b &lt;c&gt;` {
		t.Errorf("MarkdownEscape = %q", got)
	}
}

func TestJSONIsResults(t *testing.T) {
	t.Parallel()
	var back map[string]any
	if err := json.Unmarshal(render(t, "json"), &back); err != nil {
		t.Fatal(err)
	}
	if back["schema"] != "attest.results/v1" {
		t.Errorf("schema = %v", back["schema"])
	}
}
