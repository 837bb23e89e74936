package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGitLabCheckedAtLoad: the gitlab section's groups, base URL and
// project globs are checked when the file loads, each error naming its
// file, line and field, before any API call.
func TestGitLabCheckedAtLoad(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), DefaultFile)
	body := "sources:\n  gitlab:\n    groups: [acme, acme/backend]\n    base_url: \"gitlab.example.com\"\n    projects:\n      include: [\"acme/*\", \"app-[\"]\n      exclude: [\"\"]\n    token_env: ACME_GITLAB_TOKEN\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil {
		t.Fatal("a bad gitlab section loaded")
	}
	for _, want := range []string{
		path + `:3: sources.gitlab.groups[1]: "acme/backend" is not a top-level group path`,
		path + `:4: sources.gitlab.base_url: "gitlab.example.com" is not an http(s) URL`,
		path + `:6: sources.gitlab.projects.include[1]: project pattern "app-[": syntax error in pattern`,
		path + `:7: sources.gitlab.projects.exclude[0]: project pattern "": empty pattern`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), `"acme/*"`) || strings.Contains(err.Error(), "groups[0]") {
		t.Errorf("a valid value was reported:\n%v", err)
	}
	if strings.Contains(body, "glpat-") {
		t.Fatal("tokens never belong in the file")
	}
}

// TestGitLabTokenNeverFromTheFile: the token field is not part of the
// file's schema (strict decoding rejects it).
func TestGitLabTokenNeverFromTheFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), DefaultFile)
	if err := os.WriteFile(path, []byte("sources:\n  gitlab:\n    groups: [acme]\n    token: glpat-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "token") {
		t.Fatalf("a token in the file loaded: %v", err)
	}
}
