package gate

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// CommentLimit is the longest pull-request comment GitHub accepts, in
// characters.
const CommentLimit = 65536

// Shorten returns markdown cut to at most limit bytes (and so at most
// limit characters), ending with a note that names how much was left out
// and where the full text is (pointer, e.g. the URL of the uploaded
// report artifact). It cuts at a line boundary, so that no table row or
// multi-byte character is split, and closes a code fence or <details>
// element the cut leaves open. Markdown within the limit is returned
// unchanged.
func Shorten(markdown string, limit int, pointer string) (string, error) {
	if len(markdown) <= limit {
		return markdown, nil
	}
	if pointer == "" {
		pointer = "the full report"
	}
	total := utf8.RuneCountInString(markdown)
	note := func(shown int) string {
		return fmt.Sprintf("\n\n---\n\n**Truncated:** this shows the first %d of %d characters. The full report is in %s.\n", shown, total, pointer)
	}
	// The note's numbers have at most as many digits as total.
	reserve := len(note(total)) + len("```\n</details>\n")
	if reserve >= limit {
		return "", fmt.Errorf("gate: a limit of %d bytes leaves no room for the text (the note alone takes %d)", limit, reserve)
	}
	cut := markdown[:limit-reserve]
	if i := strings.LastIndexByte(cut, '\n'); i >= 0 {
		cut = cut[:i+1]
	} else {
		// One long line: cut at a character boundary.
		for len(cut) > 0 && !utf8.ValidString(cut) {
			cut = cut[:len(cut)-1]
		}
		cut += "\n"
	}
	var closers strings.Builder
	if fences := countFences(cut); fences%2 == 1 {
		closers.WriteString("```\n")
	}
	if open := strings.Count(cut, "<details") - strings.Count(cut, "</details>"); open > 0 {
		closers.WriteString(strings.Repeat("</details>\n", open))
	}
	if closers.Len() > len("```\n</details>\n") {
		// More than one <details> left open: make room for the rest.
		return Shorten(markdown, limit-closers.Len(), pointer)
	}
	return cut + closers.String() + note(utf8.RuneCountInString(cut)), nil
}

// countFences counts the lines that open or close a fenced code block.
func countFences(s string) int {
	n := 0
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			n++
		}
	}
	return n
}
