package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/attestdev/attest/controls"
)

// TestSummaryStripsControlSequences prints a results table whose values
// carry ANSI and OSC escapes, a bell and invalid UTF-8: none may reach the
// terminal.
func TestSummaryStripsControlSequences(t *testing.T) {
	t.Parallel()
	res := &controls.Results{
		Controls: []controls.ControlResult{{
			ID: "X-001\x1b[2J", Title: "title \x1b]0;owned\x07 by\nattester", Severity: controls.High, Outcome: controls.Fail,
			Reason: "attested by \x1b[31mmallory\x1b[0m\a \xff",
		}},
		Warnings: []string{"waiver of \x1b[1mbob\x1b[0m expires"},
	}
	var out bytes.Buffer
	if err := printSummary(&out, res); err != nil {
		t.Fatal(err)
	}
	for _, r := range out.String() {
		if (r < 0x20 && r != '\n') || (r >= 0x7f && r < 0xa0) {
			t.Fatalf("terminal output holds control %U:\n%q", r, out.String())
		}
	}
	for _, want := range []string{"X-001", "attested by mallory", "title by attester", "waiver of bob expires"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
