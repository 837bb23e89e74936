package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// TestActionYAML validates the composite GitHub Action against the
// action metadata schema in shared/schemas, and checks that it runs the
// flags this build has.
func TestActionYAML(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	schema := filepath.Join(schemasDir(), "github-action.json")
	if _, err := os.Stat(schema); err != nil {
		t.Skipf("action.yml not validated: the action metadata schema is not available (shared/schemas beside the repository, or set ATTEST_SCHEMAS): %v", err)
	}
	sch, err := jsonschema.NewCompiler().Compile(schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Errorf("action.yml does not match the action schema:\n%v", err)
	}
	check := newRoot(nil, nil)
	for _, flag := range []string{"--out-dir", "--fail-on", "--report", "--baseline", "--config", "--allow-inconclusive"} {
		if !strings.Contains(string(data), flag) {
			continue
		}
		name := strings.TrimPrefix(flag, "--")
		c, _, err := check.Find([]string{"check"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Flags().Lookup(name) == nil && c.InheritedFlags().Lookup(name) == nil && check.PersistentFlags().Lookup(name) == nil {
			t.Errorf("action.yml passes %s, which attest check does not have", flag)
		}
	}
}

// schemasDir returns where the official schemas are: $ATTEST_SCHEMAS, else
// shared/schemas beside the repository.
func schemasDir() string {
	if d := os.Getenv("ATTEST_SCHEMAS"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "schemas")
}

// TestGitLabSnippet checks that the documented GitLab job parses and
// publishes the JUnit report attest writes.
func TestGitLabSnippet(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "ci", "gitlab-ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Attest struct {
			Script    []string `yaml:"script"`
			Artifacts struct {
				Reports struct {
					JUnit string `yaml:"junit"`
				} `yaml:"reports"`
			} `yaml:"artifacts"`
		} `yaml:"attest"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("gitlab-ci.yml: %v", err)
	}
	script := strings.Join(doc.Attest.Script, "\n")
	for _, want := range []string{"--baseline", "--report md,junit", "attest diff"} {
		if !strings.Contains(script, want) {
			t.Errorf("the job script lacks %q", want)
		}
	}
	if doc.Attest.Artifacts.Reports.JUnit != "attest-out/report.junit.xml" {
		t.Errorf("junit report = %q, want attest-out/report.junit.xml", doc.Attest.Artifacts.Reports.JUnit)
	}
}
