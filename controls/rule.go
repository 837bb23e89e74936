package controls

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/ext"
)

// DefaultCostLimit is the CEL cost one evaluation of a rule or where may
// spend (see cel.CostLimit): far above what a rule over one resource needs,
// far below what would hold up an evaluation. A rule over its limit makes
// its requirement inconclusive.
const DefaultCostLimit = 1_000_000

// interruptEvery is how many comprehension iterations a rule runs between
// checks of its context, so that Ctrl-C stops even a long rule at once.
const interruptEvery = 100

// The functions days_since(t) and days_until(t) are macros that expand to
// these with the variable now, so that a compiled rule does not depend on
// the evaluation time and is compiled once, at load.
const (
	daysSinceFn = "days_since_at"
	daysUntilFn = "days_until_at"
)

var (
	envOnce           sync.Once
	baseEnv, countEnv *cel.Env
	envErr            error
)

// newEnv returns the CEL environment rules are compiled in. It is the same
// for every evaluation: days_since and days_until read the variable now.
func newEnv() (*cel.Env, error) {
	envOnce.Do(func() {
		if baseEnv, envErr = buildEnv(true); envErr == nil {
			countEnv, envErr = buildEnv(false)
		}
	})
	return baseEnv, envErr
}

// newCountEnv returns the environment of count-mode rules, which see
// count, params and now but no resource.
func newCountEnv() (*cel.Env, error) {
	if _, err := newEnv(); err != nil {
		return nil, err
	}
	return countEnv, nil
}

func buildEnv(perResource bool) (*cel.Env, error) {
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
	between := func(since bool) func(a, b ref.Val) ref.Val {
		return func(v, now ref.Val) ref.Val {
			t, bad := parse(v)
			if bad != nil {
				return bad
			}
			n, ok := now.(types.Timestamp)
			if !ok {
				return types.NewErr("now is not a timestamp")
			}
			if since {
				return days(n.Sub(t))
			}
			return days(t.Sub(n.Time))
		}
	}
	withNow := func(fn string) cel.Macro {
		return cel.GlobalMacro(fn[:len(fn)-len("_at")], 1, func(eh cel.MacroExprFactory, _ ast.Expr, args []ast.Expr) (ast.Expr, *cel.Error) {
			return eh.NewCall(fn, args[0], eh.NewIdent("now")), nil
		})
	}
	// A per-resource rule (each, any, and every where) sees the resource
	// and no count; a count rule sees count and no resource.
	vars := []cel.EnvOption{cel.Variable("count", cel.IntType)}
	if perResource {
		vars = []cel.EnvOption{
			cel.Variable("r", cel.MapType(cel.StringType, cel.DynType)),
			cel.Variable("resource", cel.MapType(cel.StringType, cel.DynType)),
		}
	}
	env, err := cel.NewEnv(append(vars,
		cel.Variable("params", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("now", cel.TimestampType),
		ext.Strings(),
		ext.Sets(),
		ext.Lists(),
		cel.Macros(withNow(daysSinceFn), withNow(daysUntilFn)),
		cel.Function(daysSinceFn,
			cel.Overload(daysSinceFn+"_dyn", []*cel.Type{cel.DynType, cel.TimestampType}, cel.IntType,
				cel.BinaryBinding(between(true)))),
		cel.Function(daysUntilFn,
			cel.Overload(daysUntilFn+"_dyn", []*cel.Type{cel.DynType, cel.TimestampType}, cel.IntType,
				cel.BinaryBinding(between(false)))),
	)...)
	if err != nil {
		return nil, fmt.Errorf("controls: CEL environment: %w", err)
	}
	return env, nil
}

// celTypes maps the attribute types collectors declare to CEL types. A
// timestamp is an RFC 3339 string.
var celTypes = map[string]*cel.Type{
	"bool": cel.BoolType, "int": cel.IntType, "double": cel.DoubleType, "string": cel.StringType,
	"timestamp": cel.StringType, "list": cel.ListType(cel.DynType), "map": cel.MapType(cel.StringType, cel.DynType),
}

// checkEnv returns an environment in which r.NAME has the declared type of
// attribute NAME (dyn when the type is unknown), so that rules are
// type-checked: `r.tls_version > 1` on a string attribute is an error.
func checkEnv(env *cel.Env, attrs map[string]string) (*cel.Env, error) {
	if len(attrs) == 0 {
		return env, nil
	}
	var opts []cel.EnvOption
	for _, name := range sortedKeys(attrs) {
		t, ok := celTypes[attrs[name]]
		if !ok {
			t = cel.DynType
		}
		opts = append(opts, cel.Variable("r."+name, t))
	}
	return env.Extend(opts...)
}

// A program is a compiled rule or where expression.
type program struct {
	expr string
	prg  cel.Program
	// attrs are the attributes it reads as r.NAME, sorted; whole is set
	// when it also reads r otherwise, so that it may read any attribute.
	attrs []string
	whole bool
	// loops is set when it has a comprehension (all, exists, map,
	// filter...), the only construct whose work is not bounded by the
	// expression's size: only such programs are evaluated under the
	// context, which costs a context per evaluation.
	loops bool
	// partial evaluates it with unknown attributes (where only), to tell
	// which collector runs could have produced what it selects.
	partial cel.Program
}

// compileRule type-checks expr in check (see checkEnv) and compiles it in
// env. It must yield a bool (or dyn, which is checked at evaluation), and,
// when attrs is not nil, name only attributes in attrs. Evaluation is
// bounded by limit (see DefaultCostLimit) and interruptible.
func compileRule(env, check *cel.Env, expr string, attrs map[string]string, limit uint64, partial bool) (*program, error) {
	checked, iss := check.Compile(expr)
	if iss.Err() != nil {
		return nil, iss.Err()
	}
	if t := checked.OutputType(); !t.IsExactType(cel.BoolType) && !t.IsExactType(cel.DynType) {
		return nil, &notBoolError{t}
	}
	read, whole := readAttributes(checked)
	if attrs != nil {
		for _, a := range read {
			if _, ok := attrs[a]; !ok {
				return nil, fmt.Errorf("r.%s: the resource type has no attribute %q", a, a)
			}
		}
	}
	ast := checked
	if check != env {
		if ast, iss = env.Compile(expr); iss.Err() != nil {
			return nil, iss.Err()
		}
	}
	if limit == 0 {
		limit = DefaultCostLimit
	}
	loops := hasLoops(ast)
	prg, err := newProgram(env, ast, limit, !boundedCost(loops, limit, check, checked, env, ast))
	if err != nil {
		return nil, fmt.Errorf("%w", err)
	}
	p := &program{expr: expr, prg: prg, attrs: read, whole: whole, loops: loops}
	if partial {
		if p.partial, err = env.Program(ast, cel.EvalOptions(cel.OptPartialEval), cel.CostLimit(limit)); err != nil {
			return nil, fmt.Errorf("%w", err)
		}
	}
	return p, nil
}

// A notBoolError is a rule or where that yields something other than a
// bool.
type notBoolError struct{ t *cel.Type }

func (e *notBoolError) Error() string { return fmt.Sprintf("yields %s, want bool", e.t) }

// exprError names the expression (rule or where) in err when err is a
// notBoolError.
func exprError(what string, err error) error {
	if nb := (*notBoolError)(nil); errors.As(err, &nb) {
		return fmt.Errorf("%s %w", what, err)
	}
	return err
}

// hasLoops reports whether a compiled expression has a comprehension.
func hasLoops(a *cel.Ast) bool {
	found := false
	ast.PostOrderVisit(a.NativeRep().Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		found = found || e.Kind() == ast.ComprehensionKind
	}))
	return found
}

// readAttributes returns the NAMEs of every r.NAME in a checked rule,
// sorted, and whether it reads r in any other way (r itself, r[key], a
// comprehension variable named r): then every attribute may be read.
func readAttributes(checked *cel.Ast) (attrs []string, whole bool) {
	var out []string
	bare, selected := 0, 0
	ast.PostOrderVisit(checked.NativeRep().Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		if e.Kind() == ast.IdentKind {
			// In the typed environment r.NAME is one qualified name.
			name := e.AsIdent()
			if name == "r" {
				bare++
			} else if rest, ok := strings.CutPrefix(name, "r."); ok && rest != "" {
				out = append(out, strings.SplitN(rest, ".", 2)[0])
			}
			return
		}
		if e.Kind() != ast.SelectKind {
			return
		}
		sel := e.AsSelect()
		if op := sel.Operand(); op.Kind() == ast.IdentKind && op.AsIdent() == "r" {
			selected++
			out = append(out, sel.FieldName())
		}
	}))
	slices.Sort(out)
	return slices.Compact(out), bare > selected
}

// newProgram compiles ast in env: bounded by limit and interruptible when
// counted is set, else (see boundedCost) without counting its cost.
func newProgram(env *cel.Env, ast *cel.Ast, limit uint64, counted bool) (cel.Program, error) {
	if !counted {
		return env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	}
	return env.Program(ast, cel.EvalOptions(cel.OptOptimize), cel.CostLimit(limit), cel.InterruptCheckFrequency(interruptEvery))
}

// smallCost is the most a rule may cost, by CEL's static estimate, to be
// evaluated without counting its cost (and at most a ten-thousandth of
// the limit), so that the limit stays out of reach even if the estimate
// were off by orders of magnitude.
const smallCost = 100

// boundedCost reports whether a rule's cost is bounded far below limit
// whatever the resource: it has no loop (a comprehension's cost grows with
// the list it walks) and CEL's worst-case estimate, in which every
// attribute, string and list may be of any size, is at most smallCost,
// both with the attributes' declared types and as the program runs.
// Counting the cost of every evaluation (the cost limit) allocates a
// tracker per evaluation and a call per step; a rule such as r.encrypted
// or r.size < 900 can never reach the limit, so it is compiled without it.
// Size-dependent work (comparing or searching strings or lists of unknown
// size, regexes) makes the estimate unbounded, so such rules keep the
// limit.
func boundedCost(loops bool, limit uint64, check *cel.Env, checked *cel.Ast, env *cel.Env, ast *cel.Ast) bool {
	if loops {
		return false
	}
	bound := min(smallCost, limit/10_000)
	typed, err := check.EstimateCost(checked, noSizes{})
	if err != nil || typed.Max > bound {
		return false
	}
	// The attributes' declared types may not be what a resource holds:
	// the program as it runs, where every attribute is dyn, must be
	// bounded too.
	run, err := env.EstimateCost(ast, noSizes{})
	return err == nil && run.Max <= bound
}

// noSizes knows no sizes: the estimator assumes the worst.
type noSizes struct{}

func (noSizes) EstimateCallCost(string, string, *cost.AstNode, []cost.AstNode) *cost.CallEstimate {
	return nil
}

func (noSizes) EstimateSize(cost.AstNode) *cost.SizeEstimate { return nil }
