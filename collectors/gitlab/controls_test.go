package gitlab

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestControlsNameDeclaredAttributes checks the GitLab control library
// against the descriptors: every evidence type is emitted by a collector of
// this source and every r.<attribute> a rule or filter names is declared.
func TestControlsNameDeclaredAttributes(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "..", "controls", "library", "gitlab", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no controls found: %v", err)
	}
	attrs := map[string][]string{}
	for _, c := range NewSource(Config{}).Collectors() {
		for _, rt := range c.Describe().ResourceTypes {
			for _, a := range rt.Attributes {
				attrs[rt.Name] = append(attrs[rt.Name], a.Name)
			}
		}
	}
	ref := regexp.MustCompile(`\br\.([a-z0-9_]+)`)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ctl struct {
			ID       string
			Evidence []struct{ Type, Mode, Where, Rule string }
		}
		if err := yaml.Unmarshal(data, &ctl); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if want := strings.ToLower(ctl.ID) + ".yaml"; filepath.Base(f) != want {
			t.Errorf("%s: file should be named %s", f, want)
		}
		for _, e := range ctl.Evidence {
			declared, ok := attrs[e.Type]
			if !ok {
				t.Errorf("%s: type %s is not emitted by the gitlab source", ctl.ID, e.Type)
			}
			for _, m := range ref.FindAllStringSubmatch(e.Where+" "+e.Rule, -1) {
				if !slices.Contains(declared, m[1]) {
					t.Errorf("%s: %s has no attribute %s", ctl.ID, e.Type, m[1])
				}
			}
		}
	}
}
