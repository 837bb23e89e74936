package controls

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"sync"
)

// Findings are most of the bytes of results.json (one per resource per
// requirement). Encode writes them with appendFinding instead of through
// reflection and json.Indent: byte for byte what json.MarshalIndent
// writes, at a fraction of the cost. The rest of each control is encoded
// by encoding/json with a placeholder finding in place of each
// requirement's findings, which is then replaced.
//
// A control is cut into pieces: the literal JSON around its findings
// lists, and runs of at most findingsPerPiece findings. When the results
// hold more than findingsPerPiece findings, the runs are encoded on up to
// GOMAXPROCS goroutines while the pieces are written in order, a bounded
// number of them ahead of the writer.

// findingsMark starts the resource of a placeholder finding: a NUL, which
// no resource id has.
const findingsMark = "\x00attest-findings-"

// findingsPerPiece is how many findings one piece of the encoding holds
// (about 250 KB of JSON); a variable so that tests can exercise the
// concurrent encoding with a few findings.
var findingsPerPiece = 1024

// pieceBytes is the room a buffer of the concurrent encoding starts with:
// enough for findingsPerPiece findings of the usual size.
const pieceBytes = 1 << 19

// A piece is part of the encoded results: literal bytes, or a run of
// findings to encode at indent.
type piece struct {
	lit    []byte
	fs     []Finding
	indent []byte
}

// encodePieces cuts control c, indented as an element of the results'
// controls list (prefix "    "), into pieces and gives them in order to
// emit. enc encodes into buf; ind is a scratch buffer. The literal pieces
// are copies.
func encodePieces(c *ControlResult, enc *json.Encoder, buf, ind *bytes.Buffer, emit func(piece) error) error {
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
		return fmt.Errorf("controls: encode results: %s: %w", c.ID, err)
	}
	ind.WriteString("\n    ")
	if err := json.Indent(ind, bytes.TrimSuffix(buf.Bytes(), []byte("\n")), "    ", "  "); err != nil {
		return fmt.Errorf("controls: encode results: %s: %w", c.ID, err)
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
			return fmt.Errorf("controls: encode results: %s: findings placeholder not found", c.ID)
		}
		indent := bytes.Clone(rest[nl+1 : open])
		if err := emit(piece{lit: bytes.Clone(rest[:open])}); err != nil {
			return err
		}
		for k := 0; k < len(fs); k += findingsPerPiece {
			if err := emit(piece{fs: fs[k:min(k+findingsPerPiece, len(fs))], indent: indent}); err != nil {
				return err
			}
			if k+findingsPerPiece < len(fs) {
				// The separator between two runs.
				if err := emit(piece{lit: append([]byte(",\n"), indent...)}); err != nil {
					return err
				}
			}
		}
		rest = rest[at+end+1:]
	}
	return emit(piece{lit: bytes.Clone(rest)})
}

// appendPiece appends the bytes of piece p to b.
func appendPiece(b []byte, p piece) []byte {
	if p.fs == nil {
		return append(b, p.lit...)
	}
	return appendFindings(b, p.fs, p.indent)
}

// appendFindings appends findings fs, separated as json.MarshalIndent
// separates the elements of a list at indent.
func appendFindings(b []byte, fs []Finding, indent []byte) []byte {
	var pre findingPrefixes
	pre.init(indent)
	for k := range fs {
		if k > 0 {
			b = append(b, pre.sep...)
		}
		b = pre.appendFinding(b, &fs[k])
	}
	return b
}

// findingPrefixes are the bytes before each field of a finding at one
// indent: a newline, the indent, and the quoted key.
type findingPrefixes struct {
	sep, resource, name, account, region, records, record, recordsEnd, outcome, message, end []byte
}

func (p *findingPrefixes) init(indent []byte) {
	key := func(name string) []byte {
		return fmt.Appendf(nil, "\n%s  %q: ", indent, name)
	}
	p.sep = fmt.Appendf(nil, ",\n%s", indent)
	p.resource = append([]byte{'{'}, key("resource")...)
	p.name = append([]byte{','}, key("name")...)
	p.account = append([]byte{','}, key("account")...)
	p.region = append([]byte{','}, key("region")...)
	p.records = append(append([]byte{','}, key("records")...), '[')
	p.record = fmt.Appendf(nil, "\n%s    ", indent)
	p.recordsEnd = fmt.Appendf(nil, "\n%s  ]", indent)
	p.outcome = append([]byte{','}, key("outcome")...)
	p.message = append([]byte{','}, key("message")...)
	p.end = fmt.Appendf(nil, "\n%s}", indent)
}

// appendFinding appends f as json.MarshalIndent writes it at the indent
// of p: the embedded ResourceRef's fields, then outcome and message.
func (p *findingPrefixes) appendFinding(b []byte, f *Finding) []byte {
	str := appendString
	if plain := f.strings; plain == allPlain || plain == unchecked && f.plain() {
		str = appendPlain
	}
	b = str(append(b, p.resource...), f.Resource)
	if f.Name != "" {
		b = str(append(b, p.name...), f.Name)
	}
	if f.Account != "" {
		b = str(append(b, p.account...), f.Account)
	}
	if f.Region != "" {
		b = str(append(b, p.region...), f.Region)
	}
	if len(f.Records) > 0 {
		b = append(b, p.records...)
		for i, s := range f.Records {
			if i > 0 {
				b = append(b, ',')
			}
			b = str(append(b, p.record...), s)
		}
		b = append(b, p.recordsEnd...)
	}
	b = appendString(append(b, p.outcome...), string(f.Outcome))
	if f.Message != "" {
		b = appendString(append(b, p.message...), f.Message)
	}
	return append(b, p.end...)
}

// appendString appends s as a JSON string as encoding/json writes it
// (escaping HTML characters): directly when it has nothing to escape, else
// through json.Marshal.
func appendString(b []byte, s string) []byte {
	if !plainBytes(s) {
		q, _ := json.Marshal(s) // a string always encodes
		return append(b, q...)
	}
	return appendPlain(b, s)
}

// appendPlain appends s, which has nothing to escape (see plainBytes), as
// a JSON string.
func appendPlain(b []byte, s string) []byte {
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plainBytes reports whether encoding/json writes s as it is inside
// quotes (see plainByte).
func plainBytes(s string) bool {
	for i := range len(s) {
		if !plainByte[s[i]] {
			return false
		}
	}
	return true
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

// writeControls writes the controls of the results, each but the last
// followed by a comma, to w: in one goroutine when they hold few findings,
// else encoding runs of findings concurrently (see encodeConcurrently).
func writeControls(w io.Writer, cs []ControlResult) error {
	n := 0
	for i := range cs {
		for j := range cs[i].Evidence {
			n += len(cs[i].Evidence[j].Findings)
		}
	}
	workers := runtime.GOMAXPROCS(0)
	if n > findingsPerPiece && workers > 1 {
		return encodeConcurrently(w, cs, workers)
	}
	var out []byte
	return eachPiece(cs, func(p piece) error {
		out = appendPiece(out[:0], p)
		if _, err := w.Write(out); err != nil {
			return fmt.Errorf("controls: write results: %w", err)
		}
		return nil
	})
}

// eachPiece cuts the controls into pieces, with the commas between them,
// and gives them in order to emit.
func eachPiece(cs []ControlResult, emit func(piece) error) error {
	var buf, ind bytes.Buffer
	enc := json.NewEncoder(&buf)
	for k := range cs {
		if err := encodePieces(&cs[k], enc, &buf, &ind, emit); err != nil {
			return err
		}
		if k < len(cs)-1 {
			if err := emit(piece{lit: []byte(",")}); err != nil {
				return err
			}
		}
	}
	return nil
}

// A slot is a piece being encoded: done is closed when out holds its
// bytes.
type slot struct {
	p    piece
	out  []byte
	done chan struct{}
}

// encodeConcurrently writes the controls as writeControls does, encoding
// the pieces on workers goroutines and writing them in order, with at
// most a few pieces a worker encoded ahead of the writer.
func encodeConcurrently(w io.Writer, cs []ControlResult, workers int) error {
	ahead := 4 * workers
	work := make(chan *slot, ahead)
	order := make(chan *slot, ahead)
	free := make(chan []byte, 2*ahead+workers+1)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for s := range work {
				var b []byte
				select {
				case b = <-free:
				default:
					// Room for a run of findings of the usual size,
					// allocated once: growing from nothing costs more
					// than encoding.
					b = make([]byte, 0, pieceBytes)
				}
				s.out = appendPiece(b[:0], s.p)
				close(s.done)
			}
		})
	}
	// The producer cuts the controls into pieces; it stops early when the
	// writer fails (stop is closed).
	stop := make(chan struct{})
	var cutErr error
	go func() {
		defer close(order)
		defer close(work)
		cutErr = eachPiece(cs, func(p piece) error {
			select {
			case <-stop:
				return errStopped
			default:
			}
			s := &slot{p: p, done: make(chan struct{})}
			select {
			case order <- s:
			case <-stop:
				return errStopped
			}
			work <- s
			return nil
		})
	}()
	var werr error
	for s := range order {
		<-s.done
		if werr == nil {
			if _, err := w.Write(s.out); err != nil {
				werr = fmt.Errorf("controls: write results: %w", err)
				close(stop)
			}
		}
		select {
		case free <- s.out:
		default:
		}
		s.out = nil
	}
	wg.Wait()
	if werr != nil {
		return werr
	}
	return cutErr
}

// errStopped stops cutting the controls into pieces when writing failed.
var errStopped = errors.New("controls: encode results: stopped")
