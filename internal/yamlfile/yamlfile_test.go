package yamlfile

import (
	"errors"
	"strings"
	"testing"
)

type doc struct {
	Name  string `yaml:"name"`
	Count int    `yaml:"count"`
	Items []struct {
		ID string `yaml:"id"`
	} `yaml:"items"`
	Accounts map[string]struct {
		Role string `yaml:"role"`
	} `yaml:"accounts"`
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"unknown key", "name: a\ncolour: red\n", "f.yaml:2: colour: unknown field"},
		{"wrong type", "name: a\ncount: many\n", "f.yaml:2: cannot unmarshal !!str `many` into int"},
		{"syntax", "name: a\n  bad: [\n", "f.yaml:2: "},
		{"empty", "", "f.yaml:1: empty document"},
		{"not a mapping", "- a\n- b\n", "f.yaml:1: expected a mapping (key: value lines) at the top level"},
		{"two documents", "name: a\n---\nname: b\n", "f.yaml:2: more than one YAML document: put one per file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v doc
			_, err := Decode("f.yaml", []byte(tc.data), &v)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Decode: got %v, want it to contain %q", err, tc.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.File != "f.yaml" || e.Line == 0 {
				t.Errorf("Decode: got %#v, want an *Error with file and line", e)
			}
		})
	}
}

func TestDocLineAndErrorf(t *testing.T) {
	data := "name: a\nitems:\n  - id: x\n  - id: y\naccounts:\n  \"123456789012\":\n    role: audit\n"
	var v doc
	d, err := Decode("f.yaml", []byte(data), &v)
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]int{
		"":                           1,
		"name":                       1,
		"items":                      2,
		"items[1]":                   4,
		"items[1].id":                4,
		"items[7].id":                2,
		"accounts.123456789012.role": 7,
		"accounts.123456789012":      6,
		"missing.deeper":             1,
	} {
		if got := d.Line(field); got != want {
			t.Errorf("Line(%q) = %d, want %d", field, got, want)
		}
	}
	if got, want := d.Errorf("items[0].id", "%q is taken", "x").Error(), `f.yaml:3: items[0].id: "x" is taken`; got != want {
		t.Errorf("Errorf = %q, want %q", got, want)
	}
	if got := (*Doc)(nil).Line("name"); got != 0 {
		t.Errorf("nil Doc: Line = %d, want 0", got)
	}
	if got, want := (&Error{File: "f.yaml", Msg: "unreadable"}).Error(), "f.yaml: unreadable"; got != want {
		t.Errorf("Error without line and field = %q, want %q", got, want)
	}
}
