package controls

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// A ParamType is the type of a declared control parameter.
type ParamType string

// The parameter types. A duration is written like a manual max_age (90d,
// 2w, 1y, 36h); rules see it as a CEL duration and statements as written.
// A list is a list of strings.
const (
	IntParam      ParamType = "int"
	FloatParam    ParamType = "float"
	StringParam   ParamType = "string"
	BoolParam     ParamType = "bool"
	DurationParam ParamType = "duration"
	ListParam     ParamType = "list"
)

// ParamTypes lists the parameter types.
var ParamTypes = []ParamType{IntParam, FloatParam, StringParam, BoolParam, DurationParam, ListParam}

// A Param declares one control parameter.
type Param struct {
	Type ParamType `yaml:"type" json:"type"`
	// Default is the value of the declared type used when attest.yaml
	// does not override it: int64, float64, string, bool, a duration
	// string or []string.
	Default any `yaml:"default" json:"default"`
	// Doc says what the parameter means, in one sentence.
	Doc string `yaml:"doc" json:"doc"`
	// Legacy is set for the old undeclared form (name: value), whose
	// type is inferred from the value and which has no doc.
	Legacy bool `yaml:"-" json:"-"`

	problems []problem
}

// UnmarshalYAML decodes a declaration {type, default, doc}, or the old
// form (a bare value) with its type inferred.
func (p *Param) UnmarshalYAML(n *yaml.Node) error {
	*p = Param{}
	if n.Kind != yaml.MappingNode {
		var v any
		if err := n.Decode(&v); err != nil {
			p.problems = append(p.problems, problem{n.Line, "", err.Error()})
			return nil
		}
		p.Legacy = true
		p.Type = inferType(v)
		if p.Type == "" {
			p.problems = append(p.problems, problem{n.Line, "", "must be a declaration {type, default, doc}, a scalar or a list of strings"})
			return nil
		}
		p.Default, _ = p.Type.Convert(v)
		return nil
	}
	seen := map[string]bool{}
	var def *yaml.Node
	typeLine := n.Line
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			p.problems = append(p.problems, problem{k.Line, k.Value, "given twice"})
			continue
		}
		seen[k.Value] = true
		switch k.Value {
		case "type":
			p.Type, typeLine = ParamType(v.Value), v.Line
		case "doc":
			p.Doc = strings.Join(strings.Fields(v.Value), " ")
		case "default":
			def = v
		default:
			p.problems = append(p.problems, problem{k.Line, k.Value, "unknown field: a param declares type, default and doc"})
		}
	}
	switch {
	case !slices.Contains(ParamTypes, p.Type):
		p.problems = append(p.problems, problem{typeLine, "type", fmt.Sprintf("%q: want one of %s", p.Type, typeNames())})
	case def == nil:
		p.problems = append(p.problems, problem{n.Line, "default", "required"})
	default:
		var v any
		if err := def.Decode(&v); err != nil {
			p.problems = append(p.problems, problem{def.Line, "default", err.Error()})
			break
		}
		d, err := p.Type.Convert(v)
		if err != nil {
			p.problems = append(p.problems, problem{def.Line, "default", err.Error()})
			break
		}
		p.Default = d
	}
	return nil
}

func typeNames() string {
	var s []string
	for _, t := range ParamTypes {
		s = append(s, string(t))
	}
	return strings.Join(s, ", ")
}

// inferType returns the type of an old-form param value, or "" when it has
// none.
func inferType(v any) ParamType {
	switch v := v.(type) {
	case int, int64:
		return IntParam
	case float64:
		return FloatParam
	case string:
		return StringParam
	case bool:
		return BoolParam
	case []any:
		for _, e := range v {
			if _, ok := e.(string); !ok {
				return ""
			}
		}
		return ListParam
	}
	return ""
}

// Convert checks that v, as decoded from YAML or JSON, is a value of type
// t and returns it in its canonical Go form: int64, float64, string, bool,
// a duration string or []string.
func (t ParamType) Convert(v any) (any, error) {
	var (
		out any
		ok  bool
	)
	switch t {
	case IntParam:
		out, ok = toInt(v)
	case FloatParam:
		out, ok = toFloat(v)
	case StringParam:
		out, ok = v.(string)
	case BoolParam:
		out, ok = v.(bool)
	case DurationParam:
		s, isString := v.(string)
		if !isString {
			break
		}
		if _, err := ParseDuration(s); err != nil {
			return nil, err
		}
		return s, nil
	case ListParam:
		return toList(v)
	default:
		return nil, fmt.Errorf("unknown param type %q", t)
	}
	if !ok {
		return nil, fmt.Errorf("%s is not of type %s", describe(v), t)
	}
	return out, nil
}

// toInt converts a decoded whole number to int64.
func toInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int:
		return int64(v), true
	case int64:
		return v, true
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v), true
		}
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int64(v), true
		}
	}
	return 0, false
}

// toFloat converts a decoded number to float64.
func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// toList converts a decoded list of strings to []string.
func toList(v any) ([]string, error) {
	var items []any
	switch v := v.(type) {
	case []string:
		return slices.Clone(v), nil
	case []any:
		items = v
	default:
		return nil, fmt.Errorf("%s is not a list: want a list of strings such as [a, b]", describe(v))
	}
	out := make([]string, 0, len(items))
	for i, e := range items {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("item %d is %s, want a string (quote it)", i, describe(e))
		}
		out = append(out, s)
	}
	return out, nil
}

// describe names a decoded value and its kind for an error message.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q (a string)", v)
	case bool:
		return fmt.Sprintf("%v (a bool)", v)
	case int, int64, uint64:
		return fmt.Sprintf("%v (an int)", v)
	case float64:
		return fmt.Sprintf("%v (a float)", v)
	case []any, []string:
		return "a list"
	case map[string]any:
		return "a map"
	}
	return fmt.Sprintf("%v", v)
}

// EffectiveParams returns the control's params with overrides applied, each
// of its declared type (see ParamType.Convert). An override of an
// undeclared param, or of the wrong type, is an error naming the param.
func (c *Control) EffectiveParams(overrides map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(c.Params))
	for name, p := range c.Params {
		out[name] = p.Default
	}
	for _, name := range slices.Sorted(maps.Keys(overrides)) {
		p, ok := c.Params[name]
		if !ok {
			return nil, &ParamError{Control: c.ID, Param: name, Msg: fmt.Sprintf("%s has no param %q%s", c.ID, name, c.declared())}
		}
		v, err := p.Type.Convert(overrides[name])
		if err != nil {
			return nil, &ParamError{Control: c.ID, Param: name, Msg: err.Error()}
		}
		out[name] = v
	}
	return out, nil
}

// declared lists the declared params for an error message.
func (c *Control) declared() string {
	if len(c.Params) == 0 {
		return " (it declares none)"
	}
	return " (declared: " + strings.Join(slices.Sorted(maps.Keys(c.Params)), ", ") + ")"
}

// A ParamError is a param override that does not fit its control.
type ParamError struct {
	Control, Param, Msg string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("params: %s.%s: %s", e.Control, e.Param, e.Msg)
}

// celParams returns effective params as rules see them: durations as
// time.Duration, lists as []any.
func (c *Control) celParams(eff map[string]any) map[string]any {
	out := make(map[string]any, len(eff))
	for name, v := range eff {
		if p, ok := c.Params[name]; ok && p.Type == DurationParam {
			if s, ok := v.(string); ok {
				d, _ := ParseDuration(s)
				out[name] = time.Duration(d)
				continue
			}
		}
		out[name] = normalize(v)
	}
	return out
}
