package controls

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"

	"github.com/attestdev/attest/collectors/evidence"
)

// Reads returns the attributes the rules and where clauses of l's
// controls read of each resource type, for attribute-level planning
// (collectors.Runner.Reads): an attribute read by a where clause, or by a
// rule without one, is read of every resource; one read only by rules
// whose where clause is exactly r.NAME is read only where NAME is true.
// A rule that reads r as a whole or by a computed key reads every
// attribute (evidence.AllAttributes). Every type an evidence requirement
// names has an entry. Expressions are parsed, not checked: a library that
// loaded has valid ones, and one that does not parse reads everything.
func (l *Library) Reads() evidence.Reads {
	env, err := cel.NewEnv()
	out := evidence.Reads{}
	for _, c := range l.Controls {
		for _, req := range c.Evidence {
			if out[req.Type] == nil {
				out[req.Type] = map[string]evidence.Read{}
			}
			m := out[req.Type]
			cond := ""
			for i, expr := range []string{req.Where, req.Rule} {
				if expr == "" {
					continue
				}
				attrs, whole := []string(nil), true
				if err == nil {
					attrs, whole = parsedReads(env, expr)
				}
				if whole {
					attrs = []string{evidence.AllAttributes}
				}
				if i == 0 {
					cond = whereAttr(expr)
				}
				for _, a := range attrs {
					addRead(m, a, i == 0 || req.Where == "" || cond == "", cond)
				}
			}
		}
	}
	return out
}

// addRead records a read of attribute a: of every resource (all), or only
// where cond is true.
func addRead(m map[string]evidence.Read, a string, all bool, cond string) {
	r := m[a]
	switch {
	case r.All:
	case all:
		r = evidence.Read{All: true}
	case !slices.Contains(r.Where, cond):
		r.Where = append(r.Where, cond)
		slices.Sort(r.Where)
	}
	m[a] = r
}

// parsedReads returns the NAMEs of r.NAME and r["NAME"] in expr, sorted,
// and whether expr uses r otherwise (as a whole, or r[KEY] with a computed
// KEY) or does not parse: then it may read any attribute.
func parsedReads(env *cel.Env, expr string) ([]string, bool) {
	parsed, iss := env.Parse(expr)
	if iss.Err() != nil {
		return nil, true
	}
	var out []string
	idents, used := 0, 0
	ast.PostOrderVisit(parsed.NativeRep().Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		switch e.Kind() {
		case ast.IdentKind:
			if e.AsIdent() == "r" {
				idents++
			}
		case ast.SelectKind:
			if op := e.AsSelect().Operand(); op.Kind() == ast.IdentKind && op.AsIdent() == "r" {
				out = append(out, e.AsSelect().FieldName())
				used++
			}
		case ast.CallKind:
			call := e.AsCall()
			args := call.Args()
			if call.FunctionName() == "_[_]" && len(args) == 2 && args[0].Kind() == ast.IdentKind && args[0].AsIdent() == "r" &&
				args[1].Kind() == ast.LiteralKind {
				if s, ok := args[1].AsLiteral().Value().(string); ok {
					out = append(out, s)
					used++
				}
			}
		}
	}))
	slices.Sort(out)
	return slices.Compact(out), idents != used
}

// whereAttr returns NAME when a where clause is exactly r.NAME, or "".
func whereAttr(where string) string {
	name, ok := strings.CutPrefix(strings.TrimSpace(where), "r.")
	if !ok || name == "" {
		return ""
	}
	for i, c := range name {
		if c != '_' && !unicode.IsLetter(c) && (i == 0 || !unicode.IsDigit(c)) {
			return ""
		}
	}
	return name
}

// readsNote says which attributes a requirement reads that run left
// uncollected, or "" when it collected all of them. An attribute left out
// except where NAME is true is fine for a requirement whose where clause is
// exactly r.NAME.
func readsNote(run *evidence.Run, typ, where string, reads []string) string {
	var left []string
	for _, u := range run.Uncollected {
		if u.Type != typ || !slices.Contains(reads, u.Attribute) {
			continue
		}
		if u.Except != "" && slices.Contains(strings.Split(u.Except, " or "), whereAttr(where)) {
			continue
		}
		left = append(left, u.Attribute)
	}
	if len(left) == 0 {
		return ""
	}
	return fmt.Sprintf("%s on %s did not collect %v: no control enabled for that collection read them", run.Collector, run.Target, left)
}
