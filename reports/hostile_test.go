package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports/internal/fixture"
)

// hostileNames are values an attacker controls in results: names of
// repositories, buckets, users and attesters, and messages of APIs.
var hostileNames = []string{
	"\x1b[31mred\x1b[0m attester",
	"\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07",
	"nul\x00bell\x07vt\x0bff\x0c",
	"bad utf-8 \xff\xfe\xc3",
	"]]>",
	"]]\x01>",
	"<script>alert(1)</script>",
	`"'><img src=x onerror=alert(1)>`,
	"\u202Etxt.exe\ufffe\uffff",
	"\xc2\x9b31m C1",
	strings.Repeat("A\x1b[2J", 5000),
}

// hostile returns the fixture results with s in every free-text field.
func hostile(s string) *controls.Results {
	res := fixture.Results()
	res.AttestVersion += s
	res.Warnings = append(res.Warnings, s)
	for i := range res.Controls {
		c := &res.Controls[i]
		c.Title += s
		c.Reason += s
		c.Owner += s
		c.Remediation += s
		for j := range c.Evidence {
			r := &c.Evidence[j]
			r.Reason += s
			r.Rule += s
			for k := range r.Findings {
				f := &r.Findings[k]
				ref := *f.ResourceRef
				ref.Resource += s
				ref.Name += s
				f.ResourceRef = &ref
				f.Message += s
			}
			for k := range r.Scope {
				for l := range r.Scope[k].Failures {
					r.Scope[k].Failures[l].Message += s
				}
			}
		}
		for j := range c.Manual {
			c.Manual[j].Reason += s
			c.Manual[j].AttestedBy += s
			c.Manual[j].Record += s
		}
	}
	return res
}

// checkWellFormed renders res in every format and checks each parses:
// JUnit with a strict XML decoder, JSON, SARIF and OSCAL as JSON, HTML
// with the HTML-mode XML tokenizer and free of forbidden characters and
// of any <script> element but the page's own.
func checkWellFormed(t *testing.T, res *controls.Results, benignScripts int) {
	t.Helper()
	for _, format := range []string{"junit", "sarif", "oscal", "json", "html"} {
		var buf bytes.Buffer
		if err := Render(&buf, format, res, nil); err != nil {
			t.Fatalf("Render(%s): %v", format, err)
		}
		out := buf.Bytes()
		if !utf8.Valid(out) {
			t.Fatalf("%s: output is not valid UTF-8", format)
		}
		switch format {
		case "junit":
			d := xml.NewDecoder(bytes.NewReader(out))
			for {
				_, err := d.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("junit: not well-formed XML: %v", err)
				}
			}
		case "sarif", "oscal", "json":
			if !json.Valid(out) {
				t.Fatalf("%s: not valid JSON", format)
			}
		case "html":
			for _, r := range string(out) {
				if (r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f') || (r >= 0x7f && r <= 0x9f) {
					t.Fatalf("html: holds control character %U", r)
				}
			}
			if n := bytes.Count(out, []byte("<script")); n != benignScripts {
				t.Fatalf("html: %d <script elements, want the page's own %d", n, benignScripts)
			}
			d := xml.NewDecoder(bytes.NewReader(out))
			d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
			for {
				_, err := d.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("html: does not tokenize: %v", err)
				}
			}
		}
	}
}

func benignScripts(t *testing.T) int {
	t.Helper()
	var buf bytes.Buffer
	if err := HTML(&buf, fixture.Results(), nil); err != nil {
		t.Fatal(err)
	}
	return bytes.Count(buf.Bytes(), []byte("<script"))
}

// TestHostileNames renders results full of hostile values in every
// machine-read format and checks each is well-formed.
func TestHostileNames(t *testing.T) {
	t.Parallel()
	scripts := benignScripts(t)
	for _, s := range hostileNames {
		checkWellFormed(t, hostile(s), scripts)
	}
}

// FuzzHostileNames is TestHostileNames over fuzzed values:
//
//	go test -run='^$' -fuzz='^FuzzHostileNames$' -fuzztime=30s ./reports/
func FuzzHostileNames(f *testing.F) {
	for _, s := range hostileNames {
		f.Add(s)
	}
	scripts := -1
	f.Fuzz(func(t *testing.T, s string) {
		if scripts < 0 {
			scripts = benignScripts(t)
		}
		checkWellFormed(t, hostile(s), scripts)
	})
}
