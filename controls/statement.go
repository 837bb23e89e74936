package controls

import (
	"fmt"
	"reflect"
	"strings"
	"text/template"
	"text/template/parse"
)

// Statement templates: a control's tom.statement is a Go text/template over
// its effective params, so that what a TOMs document or trust page says is
// exactly what the rule checked. A param is .NAME; {{list .x}} renders a
// list as "a, b and c" (English) or "a, b und c" (German), and
// {{join .x ", "}} joins it with a separator.

// statementTemplates are the parsed statement templates of a control.
type statementTemplates struct {
	en, de *template.Template
}

// listWord is the word before the last item of a list, by language.
var listWord = map[string]string{"en": "and", "de": "und"}

// statementFuncs are the template functions for a language.
func statementFuncs(lang string) template.FuncMap {
	return template.FuncMap{
		"list": func(v any) (string, error) {
			items, err := stringItems(v)
			if err != nil {
				return "", fmt.Errorf("list: %w", err)
			}
			return joinList(items, listWord[lang]), nil
		},
		"join": func(v any, sep string) (string, error) {
			items, err := stringItems(v)
			if err != nil {
				return "", fmt.Errorf("join: %w", err)
			}
			return strings.Join(items, sep), nil
		},
	}
}

// joinList renders items as "a", "a and b" or "a, b and c".
func joinList(items []string, and string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + and + " " + items[len(items)-1]
}

func stringItems(v any) ([]string, error) {
	switch v := v.(type) {
	case []string:
		return v, nil
	case []any:
		out := make([]string, len(v))
		for i, e := range v {
			out[i] = fmt.Sprint(e)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s is not a list", describe(v))
}

// parseStatement parses one statement template and checks that it names
// only declared params.
func parseStatement(lang, text string, params map[string]*Param) (*template.Template, error) {
	t, err := template.New(lang).Funcs(statementFuncs(lang)).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("template: %w", trimTemplateErr(err))
	}
	var bad []string
	for name := range templateFields(t) {
		if _, ok := params[name]; !ok {
			bad = append(bad, name)
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("template names .%s, which is not a declared param%s", strings.Join(sortedKeys(setOf(bad)), ", ."), declaredOf(params))
	}
	return t, nil
}

func setOf(s []string) map[string]bool {
	m := map[string]bool{}
	for _, e := range s {
		m[e] = true
	}
	return m
}

func declaredOf(params map[string]*Param) string {
	if len(params) == 0 {
		return " (the control declares none)"
	}
	return " (declared: " + strings.Join(sortedKeys(params), ", ") + ")"
}

func trimTemplateErr(err error) error {
	// "template: en:1: ..." is noise next to file:line:field.
	msg := err.Error()
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "template: ") {
		rest := msg[len("template: "):]
		if j := strings.Index(rest, ": "); j >= 0 {
			return fmt.Errorf("%s", rest[j+2:])
		}
	}
	return err
}

// templateFields returns the param names a template reads (the first
// field of every .NAME in it).
func templateFields(t *template.Template) map[string]bool {
	out := map[string]bool{}
	if t.Tree == nil {
		return out
	}
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		if n == nil || (reflect.ValueOf(n).Kind() == reflect.Pointer && reflect.ValueOf(n).IsNil()) {
			return
		}
		switch n := n.(type) {
		case *parse.ListNode:
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			out[n.Ident[0]] = true
		case *parse.ChainNode:
			walk(n.Node)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walk(n.Pipe)
		}
	}
	walk(t.Root)
	return out
}

// templateText returns the literal text of a template outside its actions.
func templateText(t *template.Template) []string {
	var out []string
	if t.Tree == nil {
		return nil
	}
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.TextNode:
			out = append(out, string(n.Text))
		case *parse.IfNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.List)
			walk(n.ElseList)
		}
	}
	walk(t.Root)
	return out
}

// compileStatements parses the control's statement templates.
func (c *Control) compileStatements() (*statementTemplates, map[string]error) {
	errs := map[string]error{}
	st := &statementTemplates{}
	var err error
	if st.en, err = parseStatement("en", c.TOM.Statement.EN, c.Params); err != nil {
		errs["en"] = err
	}
	if st.de, err = parseStatement("de", c.TOM.Statement.DE, c.Params); err != nil {
		errs["de"] = err
	}
	return st, errs
}

// RenderStatement renders the control's TOM statement in English and
// German from effective params (see EffectiveParams).
func (c *Control) RenderStatement(params map[string]any) (Statement, error) {
	st := c.statements
	if st == nil {
		var errs map[string]error
		if st, errs = c.compileStatements(); len(errs) > 0 {
			for _, lang := range []string{"en", "de"} {
				if errs[lang] != nil {
					return Statement{}, fmt.Errorf("tom.statement.%s: %w", lang, errs[lang])
				}
			}
		}
	}
	var out Statement
	for _, s := range []struct {
		lang string
		t    *template.Template
		dst  *string
	}{{"en", st.en, &out.EN}, {"de", st.de, &out.DE}} {
		var b strings.Builder
		if err := s.t.Execute(&b, params); err != nil {
			return Statement{}, fmt.Errorf("tom.statement.%s: %w", s.lang, trimTemplateErr(err))
		}
		*s.dst = strings.Join(strings.Fields(b.String()), " ")
	}
	return out, nil
}

// StatementParams returns the names of the params the control's statement
// renders, in either language.
func (c *Control) StatementParams() map[string]bool {
	st := c.statements
	if st == nil {
		st, _ = c.compileStatements()
	}
	out := map[string]bool{}
	for _, t := range []*template.Template{st.en, st.de} {
		if t != nil {
			for n := range templateFields(t) {
				out[n] = true
			}
		}
	}
	return out
}
