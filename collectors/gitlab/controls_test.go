package gitlab

import (
	"testing"

	"github.com/attestdev/attest/collectors/internal/sourcetest"
)

// TestControlsNameDeclaredAttributes checks the GitLab control library
// against the descriptors: every evidence type is emitted by a collector of
// this source and every r.<attribute> a rule or filter names is declared.
func TestControlsNameDeclaredAttributes(t *testing.T) {
	t.Parallel()
	sourcetest.ControlsNameDeclaredAttributes(t, SourceName, NewSource(Config{}).Collectors())
}
