package all

import (
	"slices"
	"testing"

	"github.com/attestdev/attest/collectors/gitlab"
	"github.com/attestdev/attest/subprocessors"
)

// TestGitLabProviderOnlyForGitLabCom: gitlab.com's operator is a vendor the
// register must name; a self-managed instance is not.
func TestGitLabProviderOnlyForGitLabCom(t *testing.T) {
	t.Parallel()
	for base, want := range map[string]bool{"": true, "https://gitlab.com": true, "https://GitLab.com/api/v4": true, "https://gitlab.example.com": false} {
		got := slices.Contains(Providers(Config{GitLab: &gitlab.Config{Groups: []string{"acme"}, BaseURL: base}}), gitlab.SourceName)
		if got != want {
			t.Errorf("base_url %q: gitlab a provider = %v, want %v", base, got, want)
		}
	}
	if subprocessors.Providers[gitlab.SourceName] != "GitLab" {
		t.Errorf("the register does not know the gitlab provider: %v", subprocessors.Providers)
	}
}
