package controls

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"cel.dev/cel-go/cel"
)

type validator struct {
	lib   *Library
	types map[string]map[string]bool
	env   *cel.Env
}

func newValidator(lib *Library, types map[string][]string) (*validator, error) {
	env, err := newEnv(time.Unix(0, 0).UTC())
	if err != nil {
		return nil, err
	}
	v := &validator{lib: lib, env: env}
	if types != nil {
		v.types = map[string]map[string]bool{}
		for t, attrs := range types {
			set := map[string]bool{}
			for _, a := range attrs {
				set[a] = true
			}
			v.types[t] = set
		}
	}
	return v, nil
}

var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// control decodes and validates one control file.
func (v *validator) control(file string, data []byte) (*Control, error) {
	c := &Control{}
	root, err := DecodeStrict(file, data, c)
	if err != nil {
		return nil, err
	}
	c.File = file
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &Error{File: file, Line: LineOf(root, field), Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	switch {
	case c.ID == "":
		bad("id", "required")
	case !idPattern.MatchString(c.ID):
		bad("id", "%q: use upper-case letters, digits and dashes, e.g. AWS-S3-001", c.ID)
	}
	for _, f := range []struct{ name, val string }{
		{"title", c.Title}, {"description", c.Description}, {"owner", c.Owner}, {"remediation", c.Remediation},
	} {
		if f.val == "" {
			bad(f.name, "required")
		}
	}
	if c.Severity.Rank() == 0 {
		bad("severity", "%q: want low, medium, high or critical", c.Severity)
	}
	if c.Frequency.MaxAge() == 0 {
		bad("frequency", "%q: want continuous, daily, weekly, monthly, quarterly, semiannually or annually", c.Frequency)
	}
	v.mappings(c, bad)
	if !slices.Contains(TOMCategories, c.TOM.Category) {
		bad("tom.category", "%q: want one of %v", c.TOM.Category, TOMCategories)
	}
	if c.TOM.Statement.EN == "" {
		bad("tom.statement.en", "required")
	}
	if c.TOM.Statement.DE == "" {
		bad("tom.statement.de", "required")
	}
	if len(c.Evidence) == 0 && len(c.Manual) == 0 {
		bad("evidence", "a control needs at least one evidence or manual requirement")
	}
	for i := range c.Evidence {
		v.requirement(c, i, bad)
	}
	for i, m := range c.Manual {
		field := fmt.Sprintf("manual[%d]", i)
		if !kindPattern.MatchString(m.Kind) {
			bad(field+".kind", "%q: use lower-case snake_case, e.g. security_training", m.Kind)
		}
		if _, err := m.MaxAge.Parse(); err != nil {
			bad(field+".max_age", "%v", err)
		}
	}
	for k, val := range c.Params {
		if !validParam(val) {
			bad("params."+k, "must be a scalar or a list of scalars")
		}
	}
	return c, errors.Join(errs...)
}

func validParam(v any) bool {
	switch v := v.(type) {
	case string, bool, int, float64:
		return true
	case []any:
		for _, e := range v {
			if !validParam(e) || isList(e) {
				return false
			}
		}
		return true
	}
	return false
}

func isList(v any) bool { _, ok := v.([]any); return ok }

func (v *validator) mappings(c *Control, bad func(string, string, ...any)) {
	total := 0
	for _, fwID := range FrameworkIDs {
		fw, ok := v.lib.Framework(fwID)
		for i, id := range c.Mappings.For(fwID) {
			total++
			if !ok || !fw.Has(id) {
				bad(fmt.Sprintf("mappings.%s[%d]", fwID, i), "unknown %s requirement %q", fwID, id)
			}
		}
	}
	if total == 0 {
		bad("mappings", "map the control to at least one framework requirement")
	}
}

func (v *validator) requirement(c *Control, i int, bad func(string, string, ...any)) {
	r := &c.Evidence[i]
	field := fmt.Sprintf("evidence[%d]", i)
	if r.Mode == "" {
		r.Mode = Each
	}
	if !slices.Contains([]Mode{Each, Any, Count}, r.Mode) {
		bad(field+".mode", "%q: want each, any or count", r.Mode)
	}
	var attrs map[string]bool
	if v.types != nil {
		var ok bool
		if attrs, ok = v.types[r.Type]; !ok {
			bad(field+".type", "unknown resource type %q", r.Type)
			return
		}
	}
	if r.Type == "" {
		bad(field+".type", "required")
	}
	if r.Rule == "" {
		bad(field+".rule", "required")
	} else if _, err := compileRule(v.env, r.Rule, attrs); err != nil {
		bad(field+".rule", "%v", err)
	}
	if r.Where != "" {
		if _, err := compileRule(v.env, r.Where, attrs); err != nil {
			bad(field+".where", "%v", err)
		}
	}
}
