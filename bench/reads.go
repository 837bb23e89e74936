package bench

import (
	"fmt"
	"slices"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"

	"github.com/attestdev/attest/controls"
)

// Reads maps a resource type to the attributes the enabled controls' rules
// and where clauses read of it (the NAME of every r.NAME): true when some
// expression reads it of every resource (a where clause, or a rule
// without one), false when only rules under a where clause read it, that
// is only of the resources the where selects. A type that a control names
// but whose attributes no expression reads (a count rule) maps to an
// empty set: its resources must still be listed.
type Reads map[string]map[string]bool

// Attrs returns the attributes read of typ, sorted.
func (r Reads) Attrs(typ string) []string {
	var out []string
	for a := range r[typ] {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// RuleReads parses the rule and where clause of every evidence requirement
// of lib's controls and collects the attributes they read. It parses
// without type-checking, so it needs none of attest's declarations: r.NAME
// is a field selection on the identifier r, and has(r.NAME) expands to
// one.
func RuleReads(lib *controls.Library) (Reads, error) {
	env, err := cel.NewEnv()
	if err != nil {
		return nil, fmt.Errorf("cel env: %w", err)
	}
	out := Reads{}
	for _, c := range lib.Controls {
		for _, req := range c.Evidence {
			if out[req.Type] == nil {
				out[req.Type] = map[string]bool{}
			}
			for i, expr := range []string{req.Where, req.Rule} {
				if expr == "" {
					continue
				}
				parsed, iss := env.Parse(expr)
				if iss.Err() != nil {
					return nil, fmt.Errorf("%s %s: %w", c.ID, req.Type, iss.Err())
				}
				always := i == 0 || req.Where == ""
				for _, a := range selected(parsed) {
					out[req.Type][a] = out[req.Type][a] || always
				}
			}
		}
	}
	return out, nil
}

// selected returns the NAMEs of r.NAME and r["NAME"] in a parsed
// expression.
func selected(a *cel.Ast) []string {
	var out []string
	ast.PostOrderVisit(a.NativeRep().Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		switch e.Kind() {
		case ast.SelectKind:
			sel := e.AsSelect()
			if op := sel.Operand(); op.Kind() == ast.IdentKind && op.AsIdent() == "r" {
				out = append(out, sel.FieldName())
			}
		case ast.CallKind:
			call := e.AsCall()
			args := call.Args()
			if call.FunctionName() == "_[_]" && len(args) == 2 && args[0].Kind() == ast.IdentKind && args[0].AsIdent() == "r" &&
				args[1].Kind() == ast.LiteralKind {
				if s, ok := args[1].AsLiteral().Value().(string); ok {
					out = append(out, s)
				}
			}
		}
	}))
	return out
}
