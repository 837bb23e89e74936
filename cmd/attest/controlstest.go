package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/engine"
)

func newControlsTest(g *globals) *cobra.Command {
	var strict, builtin bool
	cmd := &cobra.Command{
		Use:   "test [DIR...]",
		Short: "Run the test cases of the built-in controls, or of the controls in DIR",
		Long: `Test runs every test case of the controls through the evaluator: each case
builds a small bundle (its resources, and one complete run per evidence type
finished at the case's time unless it lists runs), applies its param
overrides, and checks the control's outcome. Without DIR it tests the
built-in library; with DIR, the controls in those directories (loaded on top
of the built-in library; --builtin tests the built-in controls too).

A control should have a passing and a failing case, a rationale for each
framework mapping and a doc for each param. Gaps are warnings; with --strict
they are errors for the built-in library.

Exit codes: 0 every case passed; 1 a case failed (or, with --strict, the
built-in library is incomplete); 2 a control or case is invalid.`,
		RunE: func(cmd *cobra.Command, dirs []string) error {
			lib, err := controls.Load(engine.LoadOptions(dirs))
			if err != nil {
				return err
			}
			ids := engine.TestSelection(lib, len(dirs) > 0, builtin)
			return controlsTest(cmd.Context(), g, lib, ids, strict)
		},
	}
	cmd.Flags().BoolVar(&strict, "strict", false, "fail when a built-in control lacks a pass or fail case, a mapping rationale or a param doc")
	cmd.Flags().BoolVar(&builtin, "builtin", false, "with DIR, test the built-in controls too")
	return cmd
}

// controlsTest runs the cases of the controls ids of lib
// (engine.TestControls) and prints one line per case, the completeness
// gaps and a summary.
func controlsTest(ctx context.Context, g *globals, lib *controls.Library, ids []string, strict bool) error {
	w := g.stdout
	t := engine.TestControls(ctx, lib, ids, strict)
	for _, r := range t.Cases {
		switch {
		case r.Err != nil:
			fmt.Fprintf(w, "FAIL  %s  %s: %v\n", r.Control, r.Case, r.Err)
		case !r.Passed():
			fmt.Fprintf(w, "FAIL  %s  %s: got %s (%s), want %s\n", r.Control, r.Case, r.Got, oneLine(r.Reason, 200), r.Want)
		default:
			fmt.Fprintf(w, "ok    %s  %s: %s\n", r.Control, r.Case, r.Got)
		}
	}
	if t.BuiltinOnly && !strict && len(t.Warnings) > 0 {
		// The whole list is long while the library is being completed:
		// --strict prints it.
		fmt.Fprintf(g.stderr, "warning: %d gaps in %d built-in controls (cases, mapping rationales, param docs); --strict lists them\n", len(t.Warnings), t.Incomplete)
	} else {
		for _, s := range t.Warnings {
			fmt.Fprintf(g.stderr, "warning: %s\n", s)
		}
	}
	for _, s := range t.Errors {
		fmt.Fprintf(g.stderr, "error: %s\n", s)
	}
	fmt.Fprintf(w, "\n%d cases in %d controls: %d passed, %d failed; %d controls incomplete\n",
		len(t.Cases), len(ids), len(t.Cases)-t.Failed, t.Failed, t.Incomplete)
	switch {
	case t.Failed > 0:
		return &exitError{code: 1, msg: fmt.Sprintf("attest: %d test case(s) failed", t.Failed)}
	case len(t.Errors) > 0:
		return &exitError{code: 1, msg: fmt.Sprintf("attest: the built-in library is incomplete: %d gap(s)", len(t.Errors))}
	}
	return nil
}
