package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/attestdev/attest/controls"
)

// ForFramework returns the controls of lib mapped to framework (all of
// them when framework is empty). A control with a TOM category counts for
// GDPR: it documents an Art. 32 measure.
func ForFramework(lib *controls.Library, framework string) ([]*controls.Control, error) {
	cs := lib.Controls
	if framework == "" {
		return cs, nil
	}
	if _, ok := lib.Framework(framework); !ok {
		return nil, fmt.Errorf("--framework %q: want one of %s", framework, strings.Join(controls.FrameworkIDs, ", "))
	}
	return slices.DeleteFunc(slices.Clone(cs), func(c *controls.Control) bool {
		return len(c.Mappings.For(framework)) == 0 && !(framework == "gdpr" && c.TOM.Category != "")
	}), nil
}
