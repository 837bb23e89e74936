package evidence

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// A Selection says which attributes ScanSelected decodes of each resource
// type: every attribute of the types in All; the named ones of the types
// in Attrs; none of any other type. Attributes a reader does not need are
// skipped (checked for syntax, never built), which is most of the cost of
// reading a bundle whose resources carry more than its rules read.
type Selection struct {
	All   map[string]bool
	Attrs map[string]map[string]bool
}

// keeper returns which attributes of type typ are decoded: all (nil map,
// true), or those in the returned set.
func (s *Selection) keeper(typ string) (map[string]bool, bool) {
	if s == nil || s.All[typ] {
		return nil, true
	}
	return s.Attrs[typ], false
}

// apply drops the attributes of r that s does not select.
func (s *Selection) apply(r *Resource) {
	keep, all := s.keeper(r.Type)
	if all {
		return
	}
	var m map[string]any
	for k, v := range r.Attributes {
		if keep[k] {
			if m == nil {
				m = make(map[string]any, len(keep))
			}
			m[k] = v
		}
	}
	r.Attributes = m
}

// A fastDecoder decodes one line of resources.jsonl without reflection.
// It accepts only what it decodes exactly as encoding/json (with
// UseNumber, then the interner's conversions) does; anything else (an
// unknown or repeated field, a null, a malformed value, trailing data)
// makes it give up, and the line is decoded by encoding/json, which also
// words the error of a malformed line.
type fastDecoder struct {
	b     []byte
	i     int
	in    *interner
	depth int
}

// maxFastDepth is how deeply values may nest before the fast decoder gives
// up (encoding/json allows 10,000).
const maxFastDepth = 512

// The fields of a Resource, as bits of a set.
var resourceFields = map[string]uint16{
	"type": 1 << 0, "id": 1 << 1, "name": 1 << 2, "account": 1 << 3, "region": 1 << 4,
	"attributes": 1 << 5, "gaps": 1 << 6, "records": 1 << 7, "collector": 1 << 8,
	"collector_version": 1 << 9, "collected_at": 1 << 10,
}

// decodeResource decodes line as encoding/json and the interner do, keeping
// the attributes sel selects; ok is false when the line needs
// encoding/json.
func decodeResource(line []byte, in *interner, sel *Selection) (r Resource, ok bool) {
	d := fastDecoder{b: line, in: in}
	d.ws()
	if !d.eat('{') {
		return r, false
	}
	d.ws()
	if d.eat('}') {
		return r, d.end()
	}
	var seen uint16
	for {
		d.ws()
		key, ok := d.plainKey()
		if !ok {
			return r, false
		}
		bit := resourceFields[string(key)]
		if bit == 0 || seen&bit != 0 || !d.colon() {
			return r, false
		}
		seen |= bit
		typeKnown := seen&1 != 0
		if !d.field(&r, string(key), sel, typeKnown) {
			return r, false
		}
		if string(key) == "attributes" && !typeKnown {
			defer sel.apply(&r) // the type was not known yet
		}
		d.ws()
		if d.eat(',') {
			continue
		}
		if d.eat('}') {
			return r, d.end()
		}
		return r, false
	}
}

// field decodes the value of the resource field key into r. typeKnown is
// whether the type came first, so that the selection can apply.
func (d *fastDecoder) field(r *Resource, key string, sel *Selection, typeKnown bool) bool {
	var ok bool
	switch key {
	case "type":
		r.Type, ok = d.string(true)
	case "id":
		r.ID, ok = d.string(false)
	case "name":
		r.Name, ok = d.suffixOf(r.ID)
	case "account":
		r.Account, ok = d.string(true)
	case "region":
		r.Region, ok = d.string(true)
	case "collector":
		r.Collector, ok = d.string(true)
	case "attributes":
		keep, all := sel.keeper(r.Type)
		if !typeKnown {
			keep, all = nil, true
		}
		r.Attributes, ok = d.attributes(keep, all)
	case "records":
		r.Records, ok = d.records()
	case "collector_version":
		r.CollectorVersion, ok = d.int()
	case "gaps":
		var raw []byte
		if raw, ok = d.skip(); ok {
			ok = json.Unmarshal(raw, &r.Gaps) == nil
		}
	case "collected_at":
		var raw []byte
		if raw, ok = d.skip(); ok {
			ok = raw[0] == '"' && r.CollectedAt.UnmarshalJSON(raw) == nil
		}
	}
	return ok
}

// end reports whether only white space is left.
func (d *fastDecoder) end() bool {
	d.ws()
	return d.i == len(d.b)
}

func (d *fastDecoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\r', '\n':
			d.i++
		default:
			return
		}
	}
}

// eat consumes c if it is next.
func (d *fastDecoder) eat(c byte) bool {
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *fastDecoder) colon() bool {
	d.ws()
	ok := d.eat(':')
	d.ws()
	return ok
}

// plainKey reads a string without escapes and returns its content.
func (d *fastDecoder) plainKey() ([]byte, bool) {
	tok, esc, ok := d.stringToken()
	if !ok || esc {
		return nil, false
	}
	return tok[1 : len(tok)-1], true
}

// stringToken reads a JSON string, checked as encoding/json checks it (no
// control characters, valid escapes), and returns it with its quotes, and
// whether it has an escape.
func (d *fastDecoder) stringToken() (tok []byte, esc, ok bool) {
	start := d.i
	if !d.eat('"') {
		return nil, false, false
	}
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return d.b[start:d.i], esc, true
		case c < 0x20:
			return nil, false, false
		case c == '\\':
			esc = true
			if !d.escape() {
				return nil, false, false
			}
			continue
		}
		d.i++
	}
	return nil, false, false
}

// escape checks the escape at d.i and consumes it.
func (d *fastDecoder) escape() bool {
	if d.i+1 >= len(d.b) {
		return false
	}
	switch d.b[d.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		d.i += 2
		return true
	case 'u':
		if d.i+6 > len(d.b) {
			return false
		}
		for _, h := range d.b[d.i+2 : d.i+6] {
			if !isHex(h) {
				return false
			}
		}
		d.i += 6
		return true
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// string reads a string value; intern makes equal ones share a copy.
// Escapes and invalid UTF-8 are decoded by encoding/json.
func (d *fastDecoder) string(intern bool) (string, bool) {
	return d.stringUpTo(intern, len(d.b))
}

// stringUpTo reads a string value as string does, interning it when intern
// is set and it is at most upTo bytes long.
func (d *fastDecoder) stringUpTo(intern bool, upTo int) (string, bool) {
	tok, esc, ok := d.stringToken()
	if !ok {
		return "", false
	}
	body := tok[1 : len(tok)-1]
	if esc || !utf8.Valid(body) {
		var s string
		if json.Unmarshal(tok, &s) != nil {
			return "", false
		}
		if intern && len(s) <= upTo {
			return d.in.str(s), true
		}
		return s, true
	}
	if intern && len(body) <= upTo {
		return d.in.bytes(body), true
	}
	return string(body), true
}

// suffixOf reads a string value as string does; when it is the end of id,
// as names often are of ids, it is that part of id, not a copy.
func (d *fastDecoder) suffixOf(id string) (string, bool) {
	start := d.i
	tok, esc, ok := d.stringToken()
	if !ok {
		return "", false
	}
	body := tok[1 : len(tok)-1]
	if n := len(body); !esc && n > 0 && n <= len(id) && id[len(id)-n:] == string(body) && utf8.Valid(body) {
		return id[len(id)-n:], true
	}
	d.i = start
	return d.string(false)
}

// shortString reads a string value as an any. A short one is interned,
// and so is the any holding it, so that equal values (tags, owners, dates)
// box their string once.
func (d *fastDecoder) shortString() (any, bool) {
	start := d.i
	tok, esc, ok := d.stringToken()
	if !ok {
		return nil, false
	}
	body := tok[1 : len(tok)-1]
	if esc || len(body) > internLen || !utf8.Valid(body) {
		d.i = start
		return d.stringUpTo(true, internLen)
	}
	return d.in.boxed(body), true
}

// attributes reads the attributes object, keeping every attribute (all)
// or those in keep.
func (d *fastDecoder) attributes(keep map[string]bool, all bool) (map[string]any, bool) {
	if !d.eat('{') {
		return nil, false
	}
	var m map[string]any
	if all {
		m = map[string]any{}
	}
	d.ws()
	if d.eat('}') {
		return m, true
	}
	for {
		d.ws()
		key, ok := d.string(true)
		if !ok || !d.colon() {
			return nil, false
		}
		if all || keep[key] {
			v, ok := d.value()
			if !ok {
				return nil, false
			}
			if m == nil {
				m = make(map[string]any, len(keep))
			}
			m[key] = v
		} else if _, ok := d.skip(); !ok {
			return nil, false
		}
		d.ws()
		if d.eat(',') {
			continue
		}
		return m, d.eat('}')
	}
}

// value reads any value as encoding/json decodes it into an any, with
// numbers and short strings as the interner leaves them.
func (d *fastDecoder) value() (any, bool) {
	if d.i >= len(d.b) {
		return nil, false
	}
	switch d.b[d.i] {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		return d.shortString()
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	}
	return d.number()
}

func (d *fastDecoder) literal(lit string) bool {
	if len(d.b)-d.i < len(lit) || string(d.b[d.i:d.i+len(lit)]) != lit {
		return false
	}
	d.i += len(lit)
	return true
}

func (d *fastDecoder) object() (any, bool) {
	if d.depth++; d.depth > maxFastDepth {
		return nil, false
	}
	defer func() { d.depth-- }()
	m, ok := d.attributes(nil, true)
	return m, ok
}

func (d *fastDecoder) array() (any, bool) {
	if d.depth++; d.depth > maxFastDepth {
		return nil, false
	}
	defer func() { d.depth-- }()
	d.i++ // [
	out := []any{}
	d.ws()
	if d.eat(']') {
		return out, true
	}
	for {
		d.ws()
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		d.ws()
		if d.eat(',') {
			continue
		}
		return out, d.eat(']')
	}
}

// numberToken reads a number as JSON writes it.
func (d *fastDecoder) numberToken() ([]byte, bool) {
	start := d.i
	d.eat('-')
	switch {
	case d.eat('0'):
	case d.i < len(d.b) && '1' <= d.b[d.i] && d.b[d.i] <= '9':
		d.digits()
	default:
		return nil, false
	}
	if d.eat('.') && !d.digits() {
		return nil, false
	}
	if d.eat('e') || d.eat('E') {
		if !d.eat('+') {
			d.eat('-')
		}
		if !d.digits() {
			return nil, false
		}
	}
	return d.b[start:d.i], true
}

// digits consumes one or more digits.
func (d *fastDecoder) digits() bool {
	start := d.i
	for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
		d.i++
	}
	return d.i > start
}

// number reads a number as int64 when it is integral and in range
// (json.Number.Int64), else as float64.
func (d *fastDecoder) number() (any, bool) {
	tok, ok := d.numberToken()
	if !ok {
		return nil, false
	}
	if i, ok := smallInt(tok); ok {
		return i, true
	}
	s := string(tok)
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, true
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f, true
}

// smallInt parses an optionally negative run of up to 18 digits.
func smallInt(tok []byte) (int64, bool) {
	neg := len(tok) > 0 && tok[0] == '-'
	digits := tok
	if neg {
		digits = tok[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// int reads a number that fits an int, as encoding/json decodes it into
// one.
func (d *fastDecoder) int() (int, bool) {
	tok, ok := d.numberToken()
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(string(tok))
	return n, err == nil
}

// records reads a list of strings, interned. Consecutive resources often
// come from the same raw responses: a list equal to the previous one the
// interner saw is that list, shared (resources never modify it).
func (d *fastDecoder) records() ([]string, bool) {
	if !d.eat('[') {
		return nil, false
	}
	d.ws()
	if d.eat(']') {
		return []string{}, true
	}
	scratch := d.in.scratch[:0]
	defer func() { d.in.scratch = scratch[:0] }()
	for {
		d.ws()
		s, ok := d.string(true)
		if !ok {
			return nil, false
		}
		scratch = append(scratch, s)
		d.ws()
		if d.eat(',') {
			continue
		}
		if !d.eat(']') {
			return nil, false
		}
		if !slices.Equal(scratch, d.in.lastRecords) {
			d.in.lastRecords = slices.Clone(scratch)
		}
		return d.in.lastRecords, true
	}
}

// skip reads a value, checked for syntax, without building it, and
// returns its bytes.
func (d *fastDecoder) skip() ([]byte, bool) {
	start := d.i
	if d.i >= len(d.b) {
		return nil, false
	}
	var ok bool
	switch d.b[d.i] {
	case '{', '[':
		ok = d.skipComposite()
	case '"':
		_, _, ok = d.stringToken()
	case 't':
		ok = d.literal("true")
	case 'f':
		ok = d.literal("false")
	case 'n':
		ok = d.literal("null")
	default:
		_, ok = d.numberToken()
	}
	return d.b[start:d.i], ok
}

// skipComposite skips an object or array.
func (d *fastDecoder) skipComposite() bool {
	if d.depth++; d.depth > maxFastDepth {
		return false
	}
	defer func() { d.depth-- }()
	obj := d.b[d.i] == '{'
	closer := byte(']')
	if obj {
		closer = '}'
	}
	d.i++
	d.ws()
	if d.eat(closer) {
		return true
	}
	for {
		d.ws()
		if obj {
			if _, _, ok := d.stringToken(); !ok || !d.colon() {
				return false
			}
		}
		if _, ok := d.skip(); !ok {
			return false
		}
		d.ws()
		if d.eat(',') {
			continue
		}
		return d.eat(closer)
	}
}
