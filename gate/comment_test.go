package gate

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestShorten(t *testing.T) {
	t.Parallel()
	// A report like the Markdown one: a heading, a table of many rows
	// with multi-byte characters, and a code block.
	var b strings.Builder
	b.WriteString("# attest results\n\n| outcome | control | reason |\n|---|---|---|\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "| FAIL | CTRL-%04d | Verschlüsselung fehlt für Bucket „acme-%d“ … |\n", i, i)
	}
	b.WriteString("\n```\nattest check --baseline last.json\n```\n")
	md := b.String()
	if len(md) <= CommentLimit {
		t.Fatalf("test report is only %d bytes", len(md))
	}
	const pointer = "the artifact attest-report (https://github.com/acme/repo/actions/runs/1)"
	got, err := Shorten(md, CommentLimit, pointer)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > CommentLimit || utf8.RuneCountInString(got) > CommentLimit {
		t.Errorf("shortened to %d bytes, %d characters; limit %d", len(got), utf8.RuneCountInString(got), CommentLimit)
	}
	if !utf8.ValidString(got) {
		t.Error("the cut split a character")
	}
	if !strings.HasSuffix(got, "The full report is in "+pointer+".\n") || !strings.Contains(got, fmt.Sprintf("of %d characters", utf8.RuneCountInString(md))) {
		t.Errorf("no pointer at the end:\n%s", got[len(got)-300:])
	}
	// Every table row kept is whole.
	body, _, _ := strings.Cut(got, "\n\n---\n\n**Truncated:**")
	for _, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		if strings.HasPrefix(line, "| FAIL") && !strings.HasSuffix(line, "|") {
			t.Fatalf("a row was cut: %q", line)
		}
	}
	if !strings.HasPrefix(got, md[:1000]) {
		t.Error("the start of the report was not kept")
	}

	// Within the limit, nothing changes.
	if small, _ := Shorten("# ok\n", CommentLimit, pointer); small != "# ok\n" {
		t.Errorf("short text changed: %q", small)
	}

	// A cut inside a code block or <details> closes them.
	long := "<details><summary>all</summary>\n\n```\n" + strings.Repeat("line of log output\n", 500) + "```\n</details>\n"
	got, err = Shorten(long, 2000, "x")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 2000 || countFences(got)%2 != 0 || strings.Count(got, "<details") != strings.Count(got, "</details>") {
		t.Errorf("open blocks not closed (%d bytes):\n%s", len(got), got)
	}

	// One line longer than the limit is cut at a character boundary.
	got, err = Shorten(strings.Repeat("ä", 3000), 1000, "x")
	if err != nil || len(got) > 1000 || !utf8.ValidString(got) {
		t.Errorf("long line: %d bytes, valid=%v, err=%v", len(got), utf8.ValidString(got), err)
	}
	if _, err := Shorten(md, 50, pointer); err == nil {
		t.Error("a limit smaller than the note gave no error")
	}
}
