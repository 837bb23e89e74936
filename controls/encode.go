package controls

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Findings are most of the bytes of results.json (one per resource per
// requirement). Encode writes them with appendFinding instead of through
// reflection and json.Indent: byte for byte what json.MarshalIndent
// writes, at a fraction of the cost. The rest of each control is encoded
// by encoding/json with a placeholder finding in place of each
// requirement's findings, which is then replaced.

// findingsMark starts the resource of a placeholder finding: a NUL, which
// no resource id has.
const findingsMark = "\x00attest-findings-"

// encodeControl writes control c, indented as an element of the results'
// controls list (prefix "    "), to w. enc encodes into buf; ind and out
// are scratch buffers.
func encodeControl(w io.Writer, c *ControlResult, enc *json.Encoder, buf, ind *bytes.Buffer, out []byte) ([]byte, error) {
	shell := *c
	shell.Evidence = slices.Clone(c.Evidence)
	for j := range shell.Evidence {
		if len(shell.Evidence[j].Findings) > 0 {
			shell.Evidence[j].Findings = []Finding{{ResourceRef: &ResourceRef{Resource: findingsMark + strconv.Itoa(j)}}}
		}
	}
	buf.Reset()
	ind.Reset()
	if err := enc.Encode(&shell); err != nil {
		return out, fmt.Errorf("controls: encode results: %s: %w", c.ID, err)
	}
	ind.WriteString("\n    ")
	if err := json.Indent(ind, bytes.TrimSuffix(buf.Bytes(), []byte("\n")), "    ", "  "); err != nil {
		return out, fmt.Errorf("controls: encode results: %s: %w", c.ID, err)
	}
	rest := ind.Bytes()
	for j := range c.Evidence {
		fs := c.Evidence[j].Findings
		if len(fs) == 0 {
			continue
		}
		mark, _ := json.Marshal(findingsMark + strconv.Itoa(j))
		at := bytes.Index(rest, mark)
		open := bytes.LastIndexByte(rest[:max(at, 0)], '{')
		end := bytes.IndexByte(rest[max(at, 0):], '}')
		nl := bytes.LastIndexByte(rest[:max(open, 0)], '\n')
		if at < 0 || open < 0 || end < 0 || nl < 0 {
			return out, fmt.Errorf("controls: encode results: %s: findings placeholder not found", c.ID)
		}
		indent := rest[nl+1 : open]
		if _, err := w.Write(rest[:open]); err != nil {
			return out, fmt.Errorf("controls: write results: %w", err)
		}
		for k := range fs {
			if k > 0 {
				out = append(out, ",\n"...)
				out = append(out, indent...)
			}
			out = appendFinding(out, &fs[k], indent)
			if len(out) >= 1<<16 {
				if _, err := w.Write(out); err != nil {
					return out, fmt.Errorf("controls: write results: %w", err)
				}
				out = out[:0]
			}
		}
		if _, err := w.Write(out); err != nil {
			return out, fmt.Errorf("controls: write results: %w", err)
		}
		out = out[:0]
		rest = rest[at+end+1:]
	}
	if _, err := w.Write(rest); err != nil {
		return out, fmt.Errorf("controls: write results: %w", err)
	}
	return out, nil
}

// appendFinding appends f as json.MarshalIndent writes it at indent: the
// embedded ResourceRef's fields, then outcome and message.
func appendFinding(b []byte, f *Finding, indent []byte) []byte {
	field := func(b []byte, name string) []byte {
		b = append(b, '\n')
		b = append(b, indent...)
		b = append(b, "  \""...)
		b = append(b, name...)
		return append(b, "\": "...)
	}
	b = append(b, '{')
	b = appendString(field(b, "resource"), f.Resource)
	b = append(b, ',')
	if f.Name != "" {
		b = append(appendString(field(b, "name"), f.Name), ',')
	}
	if f.Account != "" {
		b = append(appendString(field(b, "account"), f.Account), ',')
	}
	if f.Region != "" {
		b = append(appendString(field(b, "region"), f.Region), ',')
	}
	if len(f.Records) > 0 {
		b = append(field(b, "records"), '[')
		for i, s := range f.Records {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '\n')
			b = append(b, indent...)
			b = appendString(append(b, "    "...), s)
		}
		b = append(b, '\n')
		b = append(b, indent...)
		b = append(b, "  ],"...)
	}
	b = appendString(field(b, "outcome"), string(f.Outcome))
	if f.Message != "" {
		b = append(b, ',')
		b = appendString(field(b, "message"), f.Message)
	}
	b = append(b, '\n')
	b = append(b, indent...)
	return append(b, '}')
}

// appendString appends s as a JSON string as encoding/json writes it
// (escaping HTML characters): directly when it has nothing to escape, else
// through json.Marshal.
func appendString(b []byte, s string) []byte {
	for i := range len(s) {
		if !plainByte[s[i]] {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plainByte marks the bytes encoding/json writes as they are in a string:
// printable ASCII but for the quote, the backslash and the HTML
// characters it escapes.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()
