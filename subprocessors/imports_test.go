package subprocessors

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsNoAttestPackage checks that the package stays a leaf: the
// register collector imports it, and collectors must not reach controls or
// reports through it. internal/yamlfile is a leaf too.
func TestImportsNoAttestPackage(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("listing sources: %v", err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "github.com/attestdev/attest") && path != "github.com/attestdev/attest/internal/yamlfile" {
				t.Errorf("%s imports %s; the register package must depend on the standard library and YAML (internal/yamlfile) only", f, path)
			}
		}
	}
}
