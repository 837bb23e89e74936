package controls

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzDecodeControl feeds arbitrary bytes to the control decoder and
// validator: they must return a control or an error, never panic.
func FuzzDecodeControl(f *testing.F) {
	for _, dir := range []string{"testdata/valid", "testdata/invalid", "library/tls"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	lib, err := Load(Options{NoBuiltin: true})
	if err != nil {
		f.Fatal(err)
	}
	v, err := newValidator(lib, Options{Types: testTypes})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := v.control("fuzz.yaml", data)
		if err == nil && c.ID == "" {
			t.Fatal("a control without id was accepted")
		}
	})
}

// FuzzCompileRule compiles arbitrary rule text: it must compile or fail
// cleanly, and a compiled rule must evaluate without panicking.
func FuzzCompileRule(f *testing.F) {
	for _, s := range []string{
		`r.encrypted`, `r.size > 3 && "a" in r.tags`, `days_since(r.created) <= params.max_age`,
		`count <= 1`, `r.tags.exists(t, t.startsWith("x"))`, `resource.region in ["eu-west-1"]`,
		`size(r.owner) > 0 || has(r.size)`, `r.size / 0 == 1`,
	} {
		f.Add(s)
	}
	env, err := newEnv()
	if err != nil {
		f.Fatal(err)
	}
	attrs := map[string]string{"encrypted": "bool", "size": "int", "tags": "list", "created": "timestamp", "owner": "string"}
	check, err := checkEnv(env, attrs)
	if err != nil {
		f.Fatal(err)
	}
	e := &evaluator{ctx: context.Background(), env: env}
	vars := map[string]any{
		"r":        map[string]any{"encrypted": true, "size": int64(7), "tags": []any{"x1"}, "created": "2025-01-01T00:00:00Z", "owner": "o"},
		"resource": map[string]any{"region": "eu-west-1"},
		"params":   map[string]any{"max_age": int64(30)},
		"now":      time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		"count":    int64(2),
	}
	f.Fuzz(func(t *testing.T, expr string) {
		prg, err := compileRule(env, check, expr, attrs, 0, false)
		if err != nil {
			return
		}
		_, _, _ = e.evalBool(prg, vars, nil)
	})
}
