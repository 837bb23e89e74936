package controls

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"cel.dev/cel-go/cel"
	"github.com/attestdev/attest/internal/yamlfile"
)

type validator struct {
	lib *Library
	// types maps every known resource type to its attributes and their
	// types ("" when not declared); nil when types are not checked.
	types map[string]map[string]string
	env   *cel.Env
	count *cel.Env
	// checkEnvs are the typed environments of the resource types.
	checkEnvs map[string]*cel.Env
	costLimit uint64
	// at reports an error at a known line of the file being validated.
	at func(line int, field, format string, args ...any)
}

func newValidator(lib *Library, opts Options) (*validator, error) {
	env, err := newEnv()
	if err != nil {
		return nil, err
	}
	count, err := newCountEnv()
	if err != nil {
		return nil, err
	}
	v := &validator{lib: lib, env: env, count: count, checkEnvs: map[string]*cel.Env{}, costLimit: opts.CostLimit}
	if opts.Types != nil {
		v.types = map[string]map[string]string{}
		for t, attrs := range opts.Types {
			set := map[string]string{}
			for _, a := range attrs {
				set[a] = opts.AttributeTypes[t][a]
			}
			v.types[t] = set
		}
	}
	return v, nil
}

// checkEnvFor returns the typed environment of a resource type.
func (v *validator) checkEnvFor(typ string) (*cel.Env, error) {
	if e, ok := v.checkEnvs[typ]; ok {
		return e, nil
	}
	e, err := checkEnv(v.env, v.types[typ])
	if err != nil {
		return nil, err
	}
	v.checkEnvs[typ] = e
	return e, nil
}

var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// control decodes and validates one control file.
func (v *validator) control(file string, data []byte) (*Control, error) {
	c := &Control{}
	doc, err := yamlfile.Decode(file, data, c)
	if err != nil {
		return nil, err
	}
	c.File = file
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, doc.Errorf(field, format, args...))
	}
	v.at = errs2(&errs, file)
	defer func() { v.at = nil }()
	basics(c, bad)
	v.mappings(c, bad)
	if c.TOM.Category != "" && !slices.Contains(TOMCategories, c.TOM.Category) {
		bad("tom.category", "%q: want one of %v, or leave it out when none fits", c.TOM.Category, TOMCategories)
	}
	paramsOK := v.params(c, doc, errs2(&errs, file))
	c.checkStatements(paramsOK, bad)
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
	v.validateTests(c, bad)
	c.lines = map[string]int{"tests": doc.Line("tests")}
	for name := range c.Params {
		c.lines["params."+name] = doc.Line("params." + name)
	}
	return c, errors.Join(errs...)
}

// basics checks the id, the required texts, the severity and the
// frequency.
func basics(c *Control, bad func(string, string, ...any)) {
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
}

// checkStatements requires the English and German statements and, when
// the params are usable, compiles them and renders them with the default
// params.
func (c *Control) checkStatements(paramsOK bool, bad func(string, string, ...any)) {
	if c.TOM.Statement.EN == "" {
		bad("tom.statement.en", "required")
	}
	if c.TOM.Statement.DE == "" {
		bad("tom.statement.de", "required")
	}
	if c.TOM.Statement.EN == "" || c.TOM.Statement.DE == "" || !paramsOK {
		return
	}
	st, terrs := c.compileStatements()
	for _, lang := range []string{"en", "de"} {
		if terrs[lang] != nil {
			bad("tom.statement."+lang, "%v", terrs[lang])
		}
	}
	if len(terrs) > 0 {
		return
	}
	c.statements = st
	defaults, _ := c.EffectiveParams(nil)
	if _, err := c.RenderStatement(defaults); err != nil {
		field, msg, _ := strings.Cut(err.Error(), ": ")
		bad(field, "does not render with the default params: %s", msg)
	}
}

// errs2 returns a function that reports an error at a known line.
func errs2(errs *[]error, file string) func(line int, field, format string, args ...any) {
	return func(line int, field, format string, args ...any) {
		*errs = append(*errs, &Error{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
}

var paramName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// params checks the declared params and reports whether they are usable
// (so that statements can be checked against them).
func (v *validator) params(c *Control, doc *yamlfile.Doc, at func(int, string, string, ...any)) bool {
	ok := true
	for _, name := range sortedKeys(c.Params) {
		p := c.Params[name]
		field := "params." + name
		if !paramName.MatchString(name) {
			at(doc.Line(field), field, "use lower-case snake_case, e.g. max_key_age_days")
			ok = false
		}
		if p == nil {
			at(doc.Line(field), field, "must be a declaration {type, default, doc}")
			ok = false
			continue
		}
		for _, pr := range p.problems {
			f := field
			if pr.field != "" {
				f += "." + pr.field
			}
			at(pr.line, f, "%s", pr.msg)
			ok = false
		}
	}
	return ok
}

func (v *validator) mappings(c *Control, bad func(string, string, ...any)) {
	for _, pr := range c.Mappings.problems {
		v.at(pr.line, pr.field, "%s", pr.msg)
	}
	total := 0
	for _, fwID := range FrameworkIDs {
		fw, ok := v.lib.Framework(fwID)
		for _, id := range c.Mappings.For(fwID) {
			total++
			if !ok || !fw.Has(id) {
				v.at(c.Mappings.lines[fwID][id], "mappings."+fwID+"."+id, "unknown %s requirement %q", fwID, id)
			}
		}
	}
	if total == 0 && len(c.Mappings.problems) == 0 {
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
	var attrs map[string]string
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
	check, err := v.checkEnvFor(r.Type)
	if err != nil {
		bad(field+".type", "%v", err)
		return
	}
	if r.Rule == "" {
		bad(field+".rule", "required")
	} else if r.Mode == Count {
		// A count rule sees count, params and now: no resource.
		if r.rule, err = compileRule(v.count, v.count, r.Rule, nil, v.costLimit, false); err != nil {
			bad(field+".rule", "%v (a count rule sees count, params and now)", exprError("count rule", err))
		}
	} else if r.rule, err = compileRule(v.env, check, r.Rule, attrs, v.costLimit, false); err != nil {
		bad(field+".rule", "%v", exprError("rule", err))
	}
	if r.Where != "" {
		if r.where, err = compileRule(v.env, check, r.Where, attrs, v.costLimit, true); err != nil {
			bad(field+".where", "%v", exprError("where", err))
		}
	}
}
