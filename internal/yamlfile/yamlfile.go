// Package yamlfile decodes attest's YAML input files strictly (one
// document, a mapping at the top level, unknown keys rejected) and reports
// every problem in one format: file:line: field: message.
//
// It is the only package that turns go.yaml.in/yaml/v3's error strings
// into positions. Every loader (controls, waivers, attest.yaml, the
// subprocessor register, manual evidence, the TOMs and trust-page texts,
// company.yaml) decodes through Decode and reports its own validation
// problems with Doc.Errorf, so that a user sees the same shape of message
// whatever file is wrong.
package yamlfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// An Error is a problem in a YAML file, with its position: the file, the
// line (0 when unknown), and the dotted field path (such as
// "evidence[1].rule"; empty when the problem is not in one field).
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string
}

// Error returns "file:line: field: message", leaving out the line when it
// is unknown and the field when there is none.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// A Doc is a decoded file: its name and node tree, for the positions of
// validation errors.
type Doc struct {
	File string
	Root *yaml.Node
}

// Decode decodes exactly one YAML document from data into v, with unknown
// keys rejected, and returns the document for Doc.Line and Doc.Errorf.
// The document must be a mapping. Errors are *Error values naming file and
// line (and the field, for an unknown key), joined when yaml reports
// several.
func Decode(file string, data []byte, v any) (*Doc, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, decodeError(file, err)
	}
	if len(root.Content) == 0 {
		return nil, &Error{File: file, Line: 1, Msg: "empty document"}
	}
	if root.Content[0].Kind != yaml.MappingNode {
		return nil, &Error{File: file, Line: root.Content[0].Line, Msg: "expected a mapping (key: value lines) at the top level"}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return nil, decodeError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &Error{File: file, Line: extra.Line, Msg: "more than one YAML document: put one per file"}
	}
	return &Doc{File: file, Root: &root}, nil
}

// Parse parses data into its node tree without decoding it, for a file
// read node by node. An empty document gives a Doc with an empty Root.
// Syntax errors are *Error values naming file and line.
func Parse(file string, data []byte) (*Doc, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, decodeError(file, err)
	}
	return &Doc{File: file, Root: &root}, nil
}

// Errorf returns an *Error at the line of field in d.
func (d *Doc) Errorf(field, format string, args ...any) *Error {
	return &Error{File: d.File, Line: d.Line(field), Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Line returns the line of the node at a dotted path such as
// "evidence[1].rule", or of its nearest existing ancestor; 0 for a nil
// Doc.
func (d *Doc) Line(field string) int {
	if d == nil || d.Root == nil {
		return 0
	}
	return LineOf(d.Root, field)
}

// LineOf returns the line of the node at a dotted path such as
// "evidence[1].rule" below root, or of its nearest existing ancestor. A
// number indexes a sequence; in a mapping it is a key (such as an AWS
// account id). A mapping entry's line is its key's.
func LineOf(root *yaml.Node, field string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, seg := range strings.FieldsFunc(field, func(r rune) bool { return r == '.' || r == '[' || r == ']' }) {
		next, at, ok := child(n, seg)
		if !ok {
			return line
		}
		n, line = next, at
	}
	return line
}

// child returns the element seg of a sequence, or the value of key seg in
// a mapping, with the line that names it.
func child(n *yaml.Node, seg string) (*yaml.Node, int, bool) {
	switch n.Kind {
	case yaml.SequenceNode:
		idx, err := strconv.Atoi(seg)
		if err != nil || idx < 0 || idx >= len(n.Content) {
			return nil, 0, false
		}
		return n.Content[idx], n.Content[idx].Line, true
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == seg {
				return n.Content[i+1], n.Content[i].Line, true
			}
		}
	}
	return nil, 0, false
}

var (
	// yamlLine is the position yaml.v3 puts in front of its messages.
	yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	// fieldNotFound is yaml.v3's message for an unknown key under
	// KnownFields.
	fieldNotFound = regexp.MustCompile(`^field (\S+) not found in type`)
)

// decodeError turns a yaml.v3 error into one *Error per problem, keeping
// the line numbers yaml reports and naming the field of an unknown key.
func decodeError(file string, err error) error {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	errs := make([]error, 0, len(msgs))
	for _, m := range msgs {
		e := &Error{File: file, Msg: strings.TrimPrefix(m, "yaml: ")}
		if sub := yamlLine.FindStringSubmatch(m); sub != nil {
			e.Line, _ = strconv.Atoi(sub[1])
			e.Msg = sub[2]
			if f := fieldNotFound.FindStringSubmatch(e.Msg); f != nil {
				e.Field, e.Msg = f[1], "unknown field"
			}
		}
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}
