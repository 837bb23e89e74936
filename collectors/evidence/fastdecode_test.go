package evidence

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// slowDecode decodes a line as Open does: encoding/json with UseNumber,
// then the interner.
func slowDecode(line []byte) (Resource, error) {
	var r Resource
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		return r, err
	}
	newInterner().resource(&r)
	return r, nil
}

// decodeLines are lines of resources.jsonl; fast says whether the fast
// decoder must take them (the others it may give up on).
var decodeLines = []struct {
	line string
	fast bool
}{
	{`{"type":"t","id":"a","name":"n","account":"1","region":"r","attributes":{"b":true,"f":false,"z":null,"i":42,"neg":-7,"big":123456789012345678901,"fl":0.5,"e":1e3,"m0":-0,"s":"x","l":[1,"two",[3],{"k":4}],"o":{"p":{"q":[]}},"emp":{}},"records":["h1","h2"],"collector":"c","collector_version":3,"collected_at":"2026-01-01T00:00:00Z"}`, true},
	{`{"type":"t","id":"a","attributes":{"s":"caf\u00e9 \"q\" \\ \/ \n","u":"grüße","long":"` + "0123456789012345678901234567890123456789" + `"}}`, true},
	{` { "type" : "t" , "id" : "b" , "attributes" : { } , "records" : [ ] , "gaps" : [ {"attribute":"x","kind":"denied","operation":"op","permission":"p","message":"m"} ] } `, true},
	{`{"attributes":{"a":1,"b":2},"type":"t","id":"late-type"}`, true},
	{`{"type":"t","id":"dup","attributes":{"a":1,"a":2}}`, true},
	{`{}`, true},
	{`{"type":"t","id":"arn:x:user/alice","name":"alice"}`, true},
	{`{"type":"t","id":"arn:x:user/al\u0069ce","name":"al\u0069ce"}`, true},
	{`{"name":"alice","type":"t","id":"arn:x:user/alice"}`, true},
	{"{\"type\":\"t\",\"id\":\"x\u00e9\",\"name\":\"\xa9\"}", false},
	{`{"type":"t","id":"café","name":"é"}`, true},
	{`{"type":"t","id":"nul","attributes":null}`, false},
	{`{"type":"t","Id":"case"}`, false},
	{`{"type":"t","id":"x","unknown":1}`, false},
	{`{"type":"t","id":"x","id":"y"}`, false},
	{`{"type":"t","id":"x"} {"type":"u"}`, false},
	{`{"type":"t","id":"x","collector_version":1.5}`, false},
	{`{"type":"t","id":"x","attributes":{"a":01}}`, false},
	{`{"type":"t","id":"x","attributes":{"a":"\x"}}`, false},
	{"{\"type\":\"t\",\"id\":\"x\",\"attributes\":{\"a\":\"\x01\"}}", false},
	{"{\"type\":\"t\",\"id\":\"bad\xffutf8\"}", false},
	{`{"type":"t","id":"x","attributes":{"a":[1,]}}`, false},
	{`{"type":"t","id":"x","attributes":{"a":tru}}`, false},
	{`{"type":"t","id":"x","collected_at":"yesterday"}`, false},
	{`{"type":"t","id":"x"`, false},
	{`[]`, false},
}

// TestDecodeResource checks that the fast decoder gives exactly what
// encoding/json gives, takes the lines it should, and never accepts a line
// encoding/json rejects.
func TestDecodeResource(t *testing.T) {
	t.Parallel()
	for _, c := range decodeLines {
		want, err := slowDecode([]byte(c.line))
		got, ok := decodeResource([]byte(c.line), newInterner(), nil)
		switch {
		case c.fast && !ok:
			t.Errorf("%s: fast decoder gave up", c.line)
		case ok && err != nil:
			t.Errorf("%s: fast decoder accepted a line encoding/json rejects: %v", c.line, err)
		case ok && !reflect.DeepEqual(got, want):
			t.Errorf("%s:\nfast %#v\njson %#v", c.line, got, want)
		}
	}
}

// TestDecodeResourceSelection checks that a selection keeps the attributes
// it names of a type, all of a type in All, and none of other types, and
// that skipped attributes are still checked.
func TestDecodeResourceSelection(t *testing.T) {
	t.Parallel()
	sel := &Selection{All: map[string]bool{"all": true}, Attrs: map[string]map[string]bool{"some": {"a": true, "c": true}}}
	attrs := `{"a":1,"b":{"x":[1,2,{"y":"z"}]},"c":"s","d":[true]}`
	for _, c := range []struct {
		typ  string
		want map[string]any
	}{
		{"all", map[string]any{"a": int64(1), "b": map[string]any{"x": []any{int64(1), int64(2), map[string]any{"y": "z"}}}, "c": "s", "d": []any{true}}},
		{"some", map[string]any{"a": int64(1), "c": "s"}},
		{"none", nil},
	} {
		for _, line := range []string{
			`{"type":"` + c.typ + `","id":"x","attributes":` + attrs + `}`,
			`{"id":"x","attributes":` + attrs + `,"type":"` + c.typ + `"}`,
		} {
			got, ok := decodeResource([]byte(line), newInterner(), sel)
			if !ok || !reflect.DeepEqual(got.Attributes, c.want) {
				t.Errorf("%s: ok %v, attributes %#v, want %#v", line, ok, got.Attributes, c.want)
			}
		}
	}
	bad := `{"type":"none","id":"x","attributes":{"a":[1,}}`
	if _, ok := decodeResource([]byte(bad), newInterner(), sel); ok {
		t.Errorf("%s: a malformed skipped attribute was accepted", bad)
	}
}

// FuzzDecodeResource checks that whatever the fast decoder accepts,
// encoding/json accepts and decodes the same.
func FuzzDecodeResource(f *testing.F) {
	for _, c := range decodeLines {
		f.Add([]byte(c.line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		got, ok := decodeResource(line, newInterner(), nil)
		if !ok {
			return
		}
		want, err := slowDecode(line)
		if err != nil {
			t.Fatalf("%q: fast decoder accepted a line encoding/json rejects: %v", line, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\nfast %#v\njson %#v", line, got, want)
		}
	})
}
