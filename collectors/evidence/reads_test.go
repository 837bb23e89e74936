package evidence

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadsWanted(t *testing.T) {
	t.Parallel()
	reads := Reads{
		"b":    {"critical": {All: true}, "repl": {Where: []string{"critical"}}, "size": {All: true}},
		"all":  {AllAttributes: {All: true}},
		"none": {},
	}
	tests := []struct {
		name  string
		r     Reads
		typ   string
		attrs map[string]any
		names []string
		want  bool
		left  []Uncollected
	}{
		{"no plan", nil, "b", nil, []string{"x"}, true, nil},
		{"read of all", reads, "b", nil, []string{"x", "size"}, true, nil},
		{"where true", reads, "b", map[string]any{"critical": true}, []string{"repl"}, true, nil},
		{"where unknown", reads, "b", map[string]any{}, []string{"repl"}, true, nil},
		{"where false", reads, "b", map[string]any{"critical": false}, []string{"repl", "x"}, false,
			[]Uncollected{{Type: "b", Attribute: "repl", Except: "critical"}, {Type: "b", Attribute: "x"}}},
		{"every attribute", reads, "all", nil, []string{"x"}, true, nil},
		{"type without reads", reads, "none", nil, []string{"x"}, false, []Uncollected{{Type: "none", Attribute: "x"}}},
		{"type not named", reads, "other", nil, []string{"x"}, false, []Uncollected{{Type: "other", Attribute: "x"}}},
	}
	for _, tt := range tests {
		got, left := tt.r.Wanted(tt.typ, tt.attrs, tt.names...)
		if got != tt.want {
			t.Errorf("%s: Wanted = %v, want %v", tt.name, got, tt.want)
		}
		if diff := cmp.Diff(tt.left, left); diff != "" {
			t.Errorf("%s: left (-want +got):\n%s", tt.name, diff)
		}
	}
}
