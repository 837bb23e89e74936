package controls

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testTypes declares the resource types the test controls use.
var testTypes = map[string][]string{
	"test.widget": {"encrypted", "size", "tags", "created", "owner"},
	ManualType:    {"kind", "performed_at", "valid_until", "attested_by"},
}

func TestLoadBuiltinFrameworks(t *testing.T) {
	t.Parallel()
	lib, err := Load(Options{NoBuiltin: true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"soc2": 61, "iso27001": 93, "gdpr": 26}
	for id, n := range want {
		fw, ok := lib.Framework(id)
		if !ok {
			t.Fatalf("framework %s missing", id)
		}
		if got := len(fw.Requirements); got != n {
			t.Errorf("%s has %d requirements, want %d", id, got, n)
		}
	}
	iso, _ := lib.Framework("iso27001")
	for _, id := range []string{"A.5.1", "A.5.37", "A.6.8", "A.7.14", "A.8.1", "A.8.28", "A.8.34"} {
		if !iso.Has(id) {
			t.Errorf("iso27001 lacks %s", id)
		}
	}
	gdpr, _ := lib.Framework("gdpr")
	for _, cat := range TOMCategories {
		if !gdpr.Has("TOM." + cat) {
			t.Errorf("gdpr lacks TOM.%s", cat)
		}
	}
}

func TestLoadUserDirectory(t *testing.T) {
	t.Parallel()
	lib, err := Load(Options{NoBuiltin: true, Dirs: []string{"testdata/valid"}, Types: testTypes})
	if err != nil {
		t.Fatal(err)
	}
	c, ok := lib.Control("TEST-001")
	if !ok {
		t.Fatal("TEST-001 not loaded")
	}
	if c.Evidence[0].Mode != Each {
		t.Errorf("default mode = %q, want each", c.Evidence[0].Mode)
	}
	if c.File != "testdata/valid/ok.yaml" {
		t.Errorf("File = %q", c.File)
	}
	if got := lib.ControlsFor("gdpr", "TOM.data-access"); len(got) != 1 {
		t.Errorf("TOM category did not map to gdpr TOM.data-access: %v", got)
	}
}

func TestLoadOverridesBuiltinByID(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data, err := os.ReadFile("library/tls/tls-002.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tightened := strings.Replace(string(data), "default: 21", "default: 45", 1)
	if err := os.WriteFile(filepath.Join(dir, "tls-002.yaml"), []byte(tightened), 0o600); err != nil {
		t.Fatal(err)
	}
	lib, err := Load(Options{Dirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := lib.Control("TLS-002")
	if c.Params["min_days_remaining"].Default != int64(45) || !strings.HasPrefix(c.File, dir) {
		t.Errorf("override not applied: params %v from %s", c.Params, c.File)
	}
}

// TestLoadInvalid checks that every invalid fixture fails with the file, the
// line and the field of the problem.
func TestLoadInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want string // substring of the error, after "testdata/invalid/<file>"
	}{
		{"unknown-key.yaml", ":18: unknown_key: unknown field"},
		{"bad-mapping.yaml", `:8: mappings.soc2.CC99.9: unknown soc2 requirement "CC99.9"`},
		{"unknown-type.yaml", `:15: evidence[0].type: unknown resource type "test.gadget"`},
		{"cel-syntax.yaml", ":16: evidence[0].rule: ERROR"},
		{"unknown-attribute.yaml", `:16: evidence[0].rule: r.encrpyted: the resource type has no attribute "encrpyted"`},
		{"not-bool.yaml", ":16: evidence[0].rule: rule yields"},
		{"bad-severity.yaml", `:4: severity: "urgent"`},
		{"bad-tom.yaml", `:10: tom.category: "vibes"`},
		{"bad-id.yaml", `:1: id: "bad id"`},
		{"bad-mode.yaml", `:16: evidence[0].mode: "sometimes"`},
		{"bad-max-age.yaml", `:20: manual[0].max_age: bad duration "soon"`},
		{"two-documents.yaml", ":18: more than one YAML document"},
		{"syntax.yaml", ":1: did not find expected"},
		{"wrong-type.yaml", ":5: cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			data, err := os.ReadFile(filepath.Join("testdata/invalid", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, tt.file), data, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err = Load(Options{NoBuiltin: true, Dirs: []string{dir}, Types: testTypes})
			if err == nil {
				t.Fatal("loaded without error")
			}
			want := filepath.ToSlash(dir) + "/" + tt.file + tt.want
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error\n  %v\nwant it to contain\n  %s", err, want)
			}
			var le *Error
			if !errors.As(err, &le) || le.Line == 0 {
				t.Errorf("error is not an *Error with a line: %#v", err)
			}
		})
	}
}

func TestLoadDuplicateIDInOneDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data, _ := os.ReadFile("testdata/valid/ok.yaml")
	for _, name := range []string{"a.yaml", "b.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Load(Options{NoBuiltin: true, Dirs: []string{dir}, Types: testTypes})
	if err == nil || !strings.Contains(err.Error(), `b.yaml: id: duplicate control id "TEST-001"`) {
		t.Fatalf("got %v, want a duplicate id error naming b.yaml", err)
	}
}

func TestLoadEmptyDirectory(t *testing.T) {
	t.Parallel()
	if _, err := Load(Options{Dirs: []string{t.TempDir()}}); err == nil {
		t.Fatal("an empty control directory loaded without error")
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]float64{"90d": 90 * 24, "2w": 14 * 24, "1y": 365 * 24, "36h": 36} {
		d, err := ParseDuration(in)
		if err != nil || d.Hours() != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %vh", in, d, err, want)
		}
	}
	for _, bad := range []string{"", "d", "-3d", "0d", "soon", "3x"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) succeeded", bad)
		}
	}
}
