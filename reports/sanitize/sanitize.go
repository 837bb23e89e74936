// Package sanitize makes untrusted text (names, reasons and attributes
// that come from the systems attest reads) safe for the formats attest
// writes: XML 1.0 documents and terminals.
package sanitize

import (
	"strings"
	"unicode/utf8"
)

// XML returns s with every character XML 1.0 does not allow removed and
// every invalid UTF-8 byte replaced by U+FFFD, so that an encoder's output
// is well-formed whatever s holds. Allowed are tab, line feed, carriage
// return, U+0020–U+D7FF, U+E000–U+FFFD and U+10000–U+10FFFF.
func XML(s string) string {
	if xmlClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == utf8.RuneError && isInvalid(s, i):
			b.WriteRune(utf8.RuneError)
		case xmlChar(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// HTML returns s without the characters HTML forbids in its input stream:
// those XML does not allow, plus DEL and the C1 controls (U+007F–U+009F);
// invalid UTF-8 becomes U+FFFD. It is meant for a rendered page: removing
// characters between escaped values cannot form markup.
func HTML(s string) string {
	x := XML(s)
	if !strings.ContainsFunc(x, c1) {
		return x
	}
	return strings.Map(func(r rune) rune {
		if c1(r) {
			return -1
		}
		return r
	}, x)
}

func c1(r rune) bool { return r >= 0x7f && r <= 0x9f }

func xmlClean(s string) bool {
	for i, r := range s {
		if (r == utf8.RuneError && isInvalid(s, i)) || !xmlChar(r) {
			return false
		}
	}
	return true
}

func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// isInvalid reports whether the U+FFFD decoded at s[i] stands for an
// invalid byte rather than a literal U+FFFD.
func isInvalid(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size == 1
}

// Terminal returns s fit to print on a terminal: escape sequences (CSI,
// OSC and other ESC sequences) are removed, as are every other control
// character (C0 but tab, DEL, C1) and the Unicode bidirectional overrides
// that reorder what the reader sees; invalid UTF-8 becomes U+FFFD. Line
// breaks become spaces: one value, one line.
func Terminal(s string) string {
	if terminalClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == 0x1b:
			i += escapeLen(s[i:])
			continue
		case r == 0x9b: // C1 CSI
			i += size + csiLen(s[i+size:])
			continue
		case r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r == '\t':
			b.WriteByte('\t')
		case r < 0x20 || (r >= 0x7f && r < 0xa0) || bidi(r):
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func terminalClean(s string) bool {
	for i, r := range s {
		if (r == utf8.RuneError && isInvalid(s, i)) || (r < 0x20 && r != '\t') || (r >= 0x7f && r < 0xa0) || bidi(r) {
			return false
		}
	}
	return true
}

// bidi reports the Unicode bidirectional embedding, override and isolate
// controls, which can make text display in another order than stored.
func bidi(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// escapeLen returns the length of the escape sequence at the start of s,
// which begins with ESC.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[': // CSI: parameters and intermediates up to a final byte.
		return 2 + csiLen(s[2:])
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: up to BEL or ST.
		for j := 2; j < len(s); j++ {
			if s[j] == 0x07 {
				return j + 1
			}
			if s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\' {
				return j + 2
			}
		}
		return len(s)
	}
	// Two-byte (or intermediate-byte) sequences: ESC, intermediates
	// 0x20–0x2F, then one final byte.
	j := 1
	for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
		j++
	}
	if j < len(s) {
		j++
	}
	return j
}

// csiLen returns the length of a CSI sequence's body: parameter and
// intermediate bytes, then one final byte 0x40–0x7E.
func csiLen(s string) int {
	for j := 0; j < len(s); j++ {
		if s[j] >= 0x40 && s[j] <= 0x7e {
			return j + 1
		}
		if s[j] < 0x20 || s[j] > 0x7e {
			return j
		}
	}
	return len(s)
}
