package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/attestdev/attest/collectors/all"
)

// uncomment returns Example with the section of source uncommented: the
// line "  # SOURCE:" and the deeper "  #   " lines that follow it, as a
// user would edit it.
func uncomment(t *testing.T, example, source string) string {
	t.Helper()
	lines := strings.Split(example, "\n")
	found := false
	for i := 0; i < len(lines); i++ {
		if lines[i] != "  # "+source+":" {
			continue
		}
		found = true
		lines[i] = "  " + source + ":"
		for j := i + 1; j < len(lines) && strings.HasPrefix(lines[j], "  #   "); j++ {
			lines[j] = "  " + strings.TrimPrefix(lines[j], "  # ")
		}
	}
	if !found {
		t.Fatalf("the example has no commented-out section for source %q", source)
	}
	return strings.Join(lines, "\n")
}

func load(t *testing.T, body string) *File {
	t.Helper()
	path := filepath.Join(t.TempDir(), DefaultFile)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	return f
}

// TestExample: the file attest init writes loads as it is, with no source
// enabled, and names every source attest has, commented out with the
// command that prints its permissions; uncommenting a source's lines
// gives a valid configuration that collects from it.
func TestExample(t *testing.T) {
	t.Parallel()
	f := load(t, Example)
	if len(all.Sources(f.Sources)) != 0 {
		t.Errorf("the example enables sources as written: %+v", f.Sources)
	}
	every := Example
	for _, name := range all.SourceNames() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := load(t, uncomment(t, Example, name))
			srcs := all.Sources(f.Sources)
			if len(srcs) != 1 || srcs[0].Name() != name {
				t.Errorf("uncommenting %s enables %d sources", name, len(srcs))
			}
			if !strings.Contains(strings.ReplaceAll(Example, "\n  # ", " "), "attest permissions "+name) {
				t.Errorf("the %s section does not name attest permissions %s", name, name)
			}
		})
		every = uncomment(t, every, name)
	}
	f = load(t, every)
	if got := len(all.Sources(f.Sources)); got != len(all.SourceNames()) {
		t.Errorf("every section uncommented enables %d sources, want %d", got, len(all.SourceNames()))
	}
	// Every field of the sources section has a section in the example.
	st := reflect.TypeOf(all.Config{})
	for i := range st.NumField() {
		// A field without a YAML name (the register, set by subprocessors:)
		// has no section.
		if name := yamlName(st.Field(i)); name != "-" && !strings.Contains(Example, "  # "+name+":") {
			t.Errorf("sources.%s is missing from the example", name)
		}
	}
}

// TestGitHubValidate checks that GitHub's own checks report the file, line
// and field of the problem, like the other sources' sections.
func TestGitHubValidate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), DefaultFile)
	body := "sources:\n  github:\n    orgs: [acme]\n    repos:\n      include: [\"api-*\", \"app-[\"]\n    app:\n      app_id: 1\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil {
		t.Fatal("Load: want errors for the bad glob and the app without installation_id")
	}
	for _, want := range []string{
		path + `:5: sources.github.repos.include[1]: repository pattern "app-[": syntax error in pattern`,
		path + ":6: sources.github.app: needs app_id and installation_id",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Load error lacks %q:\n%v", want, err)
		}
	}
}

// TestCloudNamesAtLoad: the Azure and Entra ID sections accept the same
// cloud names (one table, collectors/internal/azcloud) and reject any other
// with the same error, at the file and line of the field.
func TestCloudNamesAtLoad(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), DefaultFile)
	body := "sources:\n  azure:\n    subscriptions: [00000000-0000-0000-0000-000000000001]\n    cloud: germany\n" +
		"  entra:\n    tenant_id: 72f988bf-86f1-41af-91ab-2d7cd011db47\n    cloud: germany\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	for _, want := range []string{
		path + `:4: sources.azure.cloud: cloud "germany" is not one of china, public, usgovernment`,
		path + `:7: sources.entra.cloud: cloud "germany" is not one of china, public, usgovernment`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load error lacks %q:\n%v", want, err)
		}
	}
	for _, name := range []string{"usgovernment", "azuregovernment", "China"} {
		good := strings.ReplaceAll(body, "germany", name)
		if err := os.WriteFile(path, []byte(good), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(path); err != nil {
			t.Errorf("cloud %s: %v", name, err)
		}
	}
}
