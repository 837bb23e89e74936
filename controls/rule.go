package controls

import (
	"fmt"
	"math"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/ext"
)

// newEnv returns the CEL environment rules are compiled in. now is the
// evaluation time used by days_since and days_until.
func newEnv(now time.Time) (*cel.Env, error) {
	days := func(d time.Duration) ref.Val { return types.Int(math.Floor(d.Hours() / 24)) }
	parse := func(v ref.Val) (time.Time, ref.Val) {
		switch v := v.(type) {
		case types.String:
			t, err := time.Parse(time.RFC3339, string(v))
			if err != nil {
				return time.Time{}, types.NewErr("not an RFC 3339 time: %q", string(v))
			}
			return t, nil
		case types.Timestamp:
			return v.Time, nil
		}
		return time.Time{}, types.NewErr("expected a time, got %s", v.Type().TypeName())
	}
	env, err := cel.NewEnv(
		cel.Variable("r", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("resource", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("params", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("now", cel.TimestampType),
		cel.Variable("count", cel.IntType),
		ext.Strings(),
		ext.Sets(),
		ext.Lists(),
		cel.Function("days_since",
			cel.Overload("days_since_dyn", []*cel.Type{cel.DynType}, cel.IntType,
				cel.UnaryBinding(func(v ref.Val) ref.Val {
					t, bad := parse(v)
					if bad != nil {
						return bad
					}
					return days(now.Sub(t))
				}))),
		cel.Function("days_until",
			cel.Overload("days_until_dyn", []*cel.Type{cel.DynType}, cel.IntType,
				cel.UnaryBinding(func(v ref.Val) ref.Val {
					t, bad := parse(v)
					if bad != nil {
						return bad
					}
					return days(t.Sub(now))
				}))),
	)
	if err != nil {
		return nil, fmt.Errorf("controls: CEL environment: %w", err)
	}
	return env, nil
}

// compileRule compiles expr and checks that it yields a bool and names only
// the attributes in attrs (when attrs is not nil).
func compileRule(env *cel.Env, expr string, attrs map[string]bool) (cel.Program, error) {
	checked, iss := env.Compile(expr)
	if iss.Err() != nil {
		return nil, fmt.Errorf("%s", iss.Err())
	}
	if t := checked.OutputType(); !t.IsExactType(cel.BoolType) && !t.IsExactType(cel.DynType) {
		return nil, fmt.Errorf("rule yields %s, want bool", t)
	}
	if attrs != nil {
		if err := checkAttributes(checked, attrs); err != nil {
			return nil, err
		}
	}
	// No runtime cost limit: CEL has no unbounded loops, so a rule's work is
	// bounded by the size of the resource it reads, and cost tracking
	// tripled evaluation time in BenchmarkEvaluate.
	prg, err := env.Program(checked, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, fmt.Errorf("%w", err)
	}
	return prg, nil
}

// checkAttributes reports the first r.<name> in the rule that is not a
// declared attribute, so that a typo fails at load time, not at audit time.
func checkAttributes(checked *cel.Ast, attrs map[string]bool) error {
	var bad string
	ast.PostOrderVisit(checked.NativeRep().Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		if bad != "" || e.Kind() != ast.SelectKind {
			return
		}
		sel := e.AsSelect()
		if op := sel.Operand(); op.Kind() == ast.IdentKind && op.AsIdent() == "r" && !attrs[sel.FieldName()] {
			bad = sel.FieldName()
		}
	}))
	if bad != "" {
		return fmt.Errorf("r.%s: the resource type has no attribute %q", bad, bad)
	}
	return nil
}
