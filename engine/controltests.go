package engine

import (
	"context"
	"slices"
	"strings"

	"github.com/attestdev/attest/controls"
)

// IsBuiltin reports whether c is a control of the built-in library.
func IsBuiltin(c *controls.Control) bool { return strings.HasPrefix(c.File, "builtin:") }

// TestSelection returns the ids of the controls of lib whose test cases
// `attest controls test` runs: every control when no directory was given
// (userDirs false), else the controls of the given directories, plus the
// built-in ones with builtin.
func TestSelection(lib *controls.Library, userDirs, builtin bool) []string {
	var ids []string
	for _, c := range lib.Controls {
		if !userDirs || builtin || !IsBuiltin(c) {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// ControlTests are the results of the test cases of some controls and
// the completeness gaps of those controls (controls.Control.Lint).
type ControlTests struct {
	Cases []controls.CaseResult
	// Failed counts the cases that did not end as they say, or could not
	// run.
	Failed int
	// Errors are the gaps that fail the run: those of built-in controls
	// under strict. Warnings are the others.
	Errors, Warnings []string
	// Incomplete counts the controls with a gap.
	Incomplete int
	// BuiltinOnly is set when only built-in controls were tested.
	BuiltinOnly bool
}

// TestControls runs the test cases of the controls ids of lib and sorts
// their completeness gaps into errors (built-in controls under strict)
// and warnings.
func TestControls(ctx context.Context, lib *controls.Library, ids []string, strict bool) *ControlTests {
	t := &ControlTests{Cases: lib.RunTests(ctx, ids...)}
	for _, r := range t.Cases {
		if r.Err != nil || !r.Passed() {
			t.Failed++
		}
	}
	for _, c := range lib.Controls {
		if !slices.Contains(ids, c.ID) {
			continue
		}
		gaps := c.Lint()
		if len(gaps) > 0 {
			t.Incomplete++
		}
		for _, f := range gaps {
			if strict && IsBuiltin(c) {
				t.Errors = append(t.Errors, f.String())
			} else {
				t.Warnings = append(t.Warnings, f.String())
			}
		}
	}
	t.BuiltinOnly = len(ids) > 0 && !slices.ContainsFunc(lib.Controls, func(c *controls.Control) bool {
		return slices.Contains(ids, c.ID) && !IsBuiltin(c)
	})
	return t
}
