package controls

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/attestdev/attest/collectors/evidence"
)

func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(path, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

func asJSONValue(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// TestControlSchema checks that the published schema accepts every built-in
// control and the valid fixture, and rejects the invalid fixtures it can
// see (those whose problem is structural).
func TestControlSchema(t *testing.T) {
	t.Parallel()
	s := compileSchema(t, "schema.json")
	validate := func(name string, data []byte) error {
		var v map[string]any
		if err := yaml.Unmarshal(data, &v); err != nil {
			return err
		}
		return s.Validate(asJSONValue(t, v))
	}
	files, err := readFS(builtin, "library", "")
	if err != nil {
		t.Fatal(err)
	}
	valid, _ := os.ReadFile("testdata/valid/ok.yaml")
	files["testdata/valid/ok.yaml"] = valid
	for name, data := range files {
		if err := validate(name, data); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, name := range []string{"unknown-key", "bad-severity", "bad-tom", "bad-id", "bad-mode", "bad-max-age", "wrong-type"} {
		data, _ := os.ReadFile("testdata/invalid/" + name + ".yaml")
		if err := validate(name, data); err == nil {
			t.Errorf("schema accepted testdata/invalid/%s.yaml", name)
		}
	}
}

// TestResultsSchema checks evaluation output against results.schema.json,
// covering every mode, manual evidence and incomplete scope.
func TestResultsSchema(t *testing.T) {
	t.Parallel()
	s := compileSchema(t, "results.schema.json")
	lib := library(t,
		control("T-1", "each", "", "r.encrypted"),
		control("T-2", "any", "", "r.encrypted"),
		control("T-3", "count", "r.size > 1", "count < 5"),
		strings.Replace(control("T-4", "each", "", "r.encrypted"), "evidence:", "manual:\n  - kind: pen_test\n    max_age: 365d\nevidence:", 1),
	)
	withFixed := run(evidence.Partial, evidence.Failure{Kind: evidence.Denied, Operation: "x:Y", Message: "no"})
	withFixed.Fixed = map[string]map[string]any{"test.widget": {"owner": "o"}}
	b := bundle([]evidence.Run{withFixed},
		widget("a", map[string]any{"encrypted": true, "size": 3}),
		widget("b", map[string]any{"size": 3}, evidence.Gap{Attribute: "encrypted", Kind: evidence.Denied, Message: "no"}))
	res, err := Evaluate(t.Context(), lib, b, EvalOptions{AttestVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := res.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		t.Fatalf("results do not match results.schema.json: %v", err)
	}
}
