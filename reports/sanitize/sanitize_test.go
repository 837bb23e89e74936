package sanitize

import (
	"encoding/xml"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTerminal(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain name":         "plain name",
		"\x1b[31mred\x1b[0m": "red",
		"\x1b]8;;https://evil\x07link\x1b]8;;\x07": "link",
		"\x1b]0;title\x1b\\after":                  "after",
		"a\x00b\x07c\x7fd":                         "abcd",
		"two\nlines\r":                             "two lines ",
		"tab\tkept":                                "tab\tkept",
		"\u202Egnp.exe":                            "gnp.exe",
		"bad\xffutf8":                              "bad\uFFFDutf8",
		"\xc2\x9b31mC1 CSI":                        "C1 CSI",
		"trailing escape \x1b":                     "trailing escape ",
		"Grüße ✓":                                  "Grüße ✓",
	} {
		if got := Terminal(in); got != want {
			t.Errorf("Terminal(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestXML(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain":              "plain",
		"\x1b[31mred\x1b[0m": "[31mred[0m",
		"a\x00b\x0bc\ufffed": "abcd",
		"bad\xffutf8":        "bad\uFFFDutf8",
		"keep\t\n\r":         "keep\t\n\r",
		"\U0001F600 ok":      "\U0001F600 ok",
	} {
		if got := XML(in); got != want {
			t.Errorf("XML(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzSanitize checks that whatever the input, XML output is valid XML
// character data and Terminal output holds no control character.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"\x1b[2J\x1b[H", "]]>", "<script>", "\xff\xfe", "\x1b]52;c;AAAA\x07", strings.Repeat("\x1b[", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x := XML(s)
		if !utf8.ValidString(x) {
			t.Fatalf("XML(%q) is not valid UTF-8", s)
		}
		var v struct {
			A string `xml:"a,attr"`
			T string `xml:",chardata"`
		}
		var b strings.Builder
		if err := xml.EscapeText(&b, []byte(x)); err != nil {
			t.Fatal(err)
		}
		doc := `<r a="` + b.String() + `">` + b.String() + `</r>`
		if err := xml.Unmarshal([]byte(doc), &v); err != nil {
			t.Fatalf("XML(%q) does not parse: %v", s, err)
		}
		term := Terminal(s)
		if !utf8.ValidString(term) {
			t.Fatalf("Terminal(%q) is not valid UTF-8", s)
		}
		for _, r := range term {
			if (r < 0x20 && r != '\t') || (r >= 0x7f && r < 0xa0) || bidi(r) {
				t.Fatalf("Terminal(%q) = %q holds control %U", s, term, r)
			}
		}
	})
}
