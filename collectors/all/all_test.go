package all

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/attestdev/attest/collectors/aws"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/okta"
	"github.com/attestdev/attest/collectors/register"
	"github.com/attestdev/attest/collectors/tlsprobe"
)

type sink struct {
	mu  sync.Mutex
	ids []string
}

func (s *sink) Emit(r evidence.Resource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Type == register.ProviderType {
		s.ids = append(s.ids, r.ID)
	}
}
func (s *sink) Fail(evidence.Failure) {}

// TestRegisterReconcilesConfiguredProviders checks that the register source
// is given exactly the configured providers attest reads, and nothing when
// no register is configured.
func TestRegisterReconcilesConfiguredProviders(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "subprocessors.yaml")
	if err := os.WriteFile(path, []byte("subprocessors: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Config{TLS: &tlsprobe.Config{}, AWS: &aws.Config{}, Okta: &okta.Config{}}
	for _, s := range Sources(cfg) {
		if s.Name() == register.SourceName {
			t.Fatal("a register source without subprocessors: configured")
		}
	}
	cfg.Register = &register.Config{File: path}
	var src []string
	for _, s := range Sources(cfg) {
		src = append(src, s.Name())
		if s.Name() != register.SourceName {
			continue
		}
		jobs, err := s.Plan(context.Background(), func(string) bool { return true })
		if err != nil || len(jobs) != 1 {
			t.Fatalf("register Plan = %v, %v", jobs, err)
		}
		out := &sink{}
		if err := jobs[0].Collector.Collect(context.Background(), jobs[0].Target, out); err != nil {
			t.Fatal(err)
		}
		if want := []string{"aws", "okta"}; !slices.Equal(out.ids, want) {
			t.Errorf("reconciled providers = %v, want %v", out.ids, want)
		}
	}
	if !slices.Contains(src, register.SourceName) {
		t.Errorf("sources %v lack the register", src)
	}
}
