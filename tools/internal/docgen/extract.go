package docgen

import (
	"cmp"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/bazelbuild/buildtools/build"
)

// Kind is what a documented symbol is.
type Kind string

// The kinds of symbols docgen documents.
const (
	Rule           Kind = "rule"
	RepositoryRule Kind = "repository rule"
	Macro          Kind = "macro"
	Provider       Kind = "provider"
)

// Module is the documentation of one public .bzl file.
type Module struct {
	// Label is the file's label in its repository, e.g. "//rules:defs.bzl".
	Label string
	// Doc is the file's docstring.
	Doc string
	// Symbols are the public names of the file: rules and macros in source
	// order, then providers in source order.
	Symbols []Symbol
}

// Symbol is one documented rule, macro or provider.
type Symbol struct {
	// Name is the public name, as users load it.
	Name string
	Kind Kind
	Doc  string
	// Params are a rule's attributes, a macro's parameters or a provider's fields.
	Params []Param
	// Returns is the Returns: section of a macro's docstring.
	Returns string
}

// Param is one attribute, macro parameter or provider field.
type Param struct {
	Name string
	Doc  string
	// Type is a rule attribute's type: the attr function's name ("label_list").
	Type string
	// Default is the default value as Starlark source; empty when mandatory.
	Default   string
	Mandatory bool
}

// implicitDefaults are the defaults of the attr types when default= is not given.
var implicitDefaults = map[string]string{
	"bool":                    "False",
	"int":                     "0",
	"int_list":                "[]",
	"label":                   "None",
	"label_keyed_string_dict": "{}",
	"label_list":              "[]",
	"output":                  "None",
	"output_list":             "[]",
	"string":                  `""`,
	"string_dict":             "{}",
	"string_keyed_label_dict": "{}",
	"string_list":             "[]",
	"string_list_dict":        "{}",
}

// Load reads the .bzl file at rel (a slash path relative to root), follows
// its loads of files in the same repository, and documents every public
// name it binds: rules, repository rules, macros (defs) and providers. A
// public name bound to anything else, or a shape docgen does not understand,
// is an error that names the file and line.
func Load(root, rel string) (*Module, error) {
	l := newLoader(root)
	f, err := l.load(rel)
	if err != nil {
		return nil, err
	}
	dir, name := path.Split(rel)
	m := &Module{Label: "//" + strings.TrimSuffix(dir, "/") + ":" + name}
	if len(f.syntax.Stmt) > 0 {
		if s, ok := f.syntax.Stmt[0].(*build.StringExpr); ok {
			m.Doc = cleandoc(s.Value)
		}
	}
	for _, name := range f.order {
		if strings.HasPrefix(name, "_") || f.bindings[name].load != nil {
			// Private, or loaded: a loaded name is not visible to users of the file.
			continue
		}
		s, err := l.symbol(f, name)
		if err != nil {
			return nil, fmt.Errorf("documenting %s: %w", name, err)
		}
		m.Symbols = append(m.Symbols, s)
	}
	slices.SortStableFunc(m.Symbols, func(a, b Symbol) int {
		return cmp.Compare(rank(a.Kind), rank(b.Kind))
	})
	return m, nil
}

// rank puts providers after the rules and macros that return them.
func rank(k Kind) int {
	if k == Provider {
		return 1
	}
	return 0
}

func (l *loader) symbol(f *file, name string) (Symbol, error) {
	f, b, err := l.resolve(f, name, f.bindings[name].pos.Line)
	if err != nil {
		return Symbol{}, err
	}
	if b.def != nil {
		return l.macro(f, name, b.def)
	}
	call, _ := b.value.(*build.CallExpr)
	var fn string
	if call != nil {
		if id, ok := call.X.(*build.Ident); ok {
			fn = id.Name
		}
	}
	switch fn {
	case "rule":
		return l.rule(f, name, Rule, call)
	case "repository_rule":
		return l.rule(f, name, RepositoryRule, call)
	case "provider":
		return l.provider(f, name, call)
	}
	return Symbol{}, f.errorf(b.value, "%s is bound to %s, which docgen cannot document: want rule(...), repository_rule(...), provider(...) or a def; give it a leading _ if it is not public",
		name, summary(b.value))
}

// summary shortens an expression for an error message.
func summary(x build.Expr) string {
	s := []rune(strings.Join(strings.Fields(build.FormatString(x)), " "))
	if len(s) > 40 {
		return string(s[:37]) + "..."
	}
	return string(s)
}

// args splits the arguments of a call into keyword arguments and positional ones.
func args(f *file, call *build.CallExpr) (map[string]build.Expr, []build.Expr, error) {
	kw := map[string]build.Expr{}
	var positional []build.Expr
	for _, arg := range call.List {
		switch arg := arg.(type) {
		case *build.AssignExpr:
			id, ok := arg.LHS.(*build.Ident)
			if !ok {
				return nil, nil, f.errorf(arg, "keyword argument %s is not a name", summary(arg.LHS))
			}
			kw[id.Name] = arg.RHS
		case *build.UnaryExpr:
			if arg.Op == "*" || arg.Op == "**" {
				return nil, nil, f.errorf(arg, "%s(%s...): docgen cannot see into %s arguments; write them out", summary(call.X), arg.Op, arg.Op)
			}
			positional = append(positional, arg)
		default:
			positional = append(positional, arg)
		}
	}
	return kw, positional, nil
}

// str returns the value of a string literal, or of literals joined with +.
func str(f *file, x build.Expr, what string) (string, error) {
	switch x := x.(type) {
	case *build.StringExpr:
		return x.Value, nil
	case *build.BinaryExpr:
		if x.Op == "+" {
			a, err := str(f, x.X, what)
			if err != nil {
				return "", err
			}
			b, err := str(f, x.Y, what)
			return a + b, err
		}
	}
	return "", f.errorf(x, "%s is %s; docgen wants a string literal", what, summary(x))
}

func (l *loader) rule(f *file, name string, kind Kind, call *build.CallExpr) (Symbol, error) {
	kw, _, err := args(f, call)
	if err != nil {
		return Symbol{}, err
	}
	s := Symbol{Name: name, Kind: kind}
	doc, ok := kw["doc"]
	if !ok {
		return Symbol{}, f.errorf(call, "%s(...) for %s has no doc; say what it builds and give an example", summary(call.X), name)
	}
	if s.Doc, err = str(f, doc, "doc"); err != nil {
		return Symbol{}, err
	}
	s.Doc = cleandoc(s.Doc)
	what := "target"
	if kind == RepositoryRule {
		what = "repository"
	}
	s.Params = []Param{{Name: "name", Doc: "A unique name for this " + what + ".", Type: "name", Mandatory: true}}
	attrs, ok := kw["attrs"]
	if !ok {
		return s, nil
	}
	entries, err := l.dictEntries(f, attrs)
	if err != nil {
		return Symbol{}, fmt.Errorf("reading attrs: %w", err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if seen[e.key] {
			return Symbol{}, e.file.errorf(e.value, "attribute %q is given twice", e.key)
		}
		seen[e.key] = true
		if strings.HasPrefix(e.key, "_") {
			continue
		}
		p, err := l.attr(e)
		if err != nil {
			return Symbol{}, err
		}
		s.Params = append(s.Params, p)
	}
	return s, nil
}

// entry is one key of a dict, with the file its value is written in.
type entry struct {
	file  *file
	key   string
	value build.Expr
}

// dictEntries returns the entries of a dict literal, of a name bound to
// one, of dict(...) with dicts, **dicts and keyword arguments, and of a | b.
func (l *loader) dictEntries(f *file, x build.Expr) ([]entry, error) {
	f, x, err := l.expr(f, x)
	if err != nil {
		return nil, err
	}
	switch x := x.(type) {
	case *build.DictExpr:
		var entries []entry
		for _, kv := range x.List {
			key, err := str(f, kv.Key, "a dict key")
			if err != nil {
				return nil, err
			}
			entries = append(entries, entry{f, key, kv.Value})
		}
		return entries, nil
	case *build.BinaryExpr:
		if x.Op != "|" {
			break
		}
		a, err := l.dictEntries(f, x.X)
		if err != nil {
			return nil, err
		}
		b, err := l.dictEntries(f, x.Y)
		return append(a, b...), err
	case *build.CallExpr:
		if id, ok := x.X.(*build.Ident); !ok || id.Name != "dict" {
			break
		}
		var entries []entry
		for i, arg := range x.List {
			var more []entry
			switch arg := arg.(type) {
			case *build.AssignExpr:
				id, ok := arg.LHS.(*build.Ident)
				if !ok {
					return nil, f.errorf(arg, "keyword argument %s of dict() is not a name", summary(arg.LHS))
				}
				more = []entry{{f, id.Name, arg.RHS}}
			case *build.UnaryExpr:
				if arg.Op != "**" {
					return nil, f.errorf(arg, "dict() argument %s: want a dict, **dict or key = value", summary(arg))
				}
				more, err = l.dictEntries(f, arg.X)
			default:
				if i > 0 {
					return nil, f.errorf(arg, "dict() takes one positional argument, the first")
				}
				more, err = l.dictEntries(f, arg)
			}
			if err != nil {
				return nil, err
			}
			entries = append(entries, more...)
		}
		return entries, nil
	}
	return nil, f.errorf(x, "%s is not a dict docgen understands: want {...}, dict({...}, **OTHER) or a name bound to one", summary(x))
}

// attr documents one attribute: "name": attr.TYPE(doc = ..., default = ..., mandatory = ...).
func (l *loader) attr(e entry) (Param, error) {
	f := e.file
	call, ok := e.value.(*build.CallExpr)
	var typ string
	if ok {
		if dot, ok := call.X.(*build.DotExpr); ok {
			if id, ok := dot.X.(*build.Ident); ok && id.Name == "attr" {
				typ = dot.Name
			}
		}
	}
	implicit, known := implicitDefaults[typ]
	if !known {
		return Param{}, f.errorf(e.value, "attribute %q is %s; docgen wants attr.TYPE(...) with a TYPE of Bazel's attr module", e.key, summary(e.value))
	}
	kw, _, err := args(f, call)
	if err != nil {
		return Param{}, err
	}
	p := Param{Name: e.key, Type: typ, Default: implicit}
	doc, ok := kw["doc"]
	if !ok {
		return Param{}, f.errorf(call, "attribute %q has no doc; say what it is for", e.key)
	}
	if p.Doc, err = str(f, doc, fmt.Sprintf("the doc of attribute %q", e.key)); err != nil {
		return Param{}, err
	}
	if x, ok := kw["default"]; ok {
		p.Default = l.source(f, x)
	}
	if x, ok := kw["mandatory"]; ok {
		id, _ := x.(*build.Ident)
		if id == nil || (id.Name != "True" && id.Name != "False") {
			return Param{}, f.errorf(x, "mandatory of attribute %q is %s; want True or False", e.key, summary(x))
		}
		p.Mandatory = id.Name == "True"
	}
	if p.Mandatory {
		p.Default = ""
	}
	if x, ok := kw["values"]; ok {
		vf, list, err := l.expr(f, x)
		if err != nil {
			return Param{}, err
		}
		items, ok := list.(*build.ListExpr)
		if !ok {
			return Param{}, vf.errorf(list, "values of attribute %q is %s; want a list", e.key, summary(list))
		}
		var values []string
		for _, v := range items.List {
			values = append(values, "`"+oneLine(build.FormatString(v))+"`")
		}
		p.Doc = strings.TrimSpace(p.Doc) + " One of " + strings.Join(values, ", ") + "."
	}
	return p, nil
}

// source is a default value as Starlark on one line. A name bound to a
// short value is replaced by the value; a long one keeps its name.
func (l *loader) source(f *file, x build.Expr) string {
	if id, ok := x.(*build.Ident); ok && f.binds(id.Name) {
		if _, value, err := l.expr(f, id); err == nil {
			if s := oneLine(build.FormatString(value)); len(s) <= 60 {
				return s
			}
		}
	}
	return oneLine(build.FormatString(x))
}

// oneLine joins the lines of formatted Starlark.
func oneLine(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, " ")
}

func (l *loader) provider(f *file, name string, call *build.CallExpr) (Symbol, error) {
	kw, positional, err := args(f, call)
	if err != nil {
		return Symbol{}, err
	}
	s := Symbol{Name: name, Kind: Provider}
	doc, ok := kw["doc"]
	if !ok && len(positional) > 0 {
		doc, ok = positional[0], true
	}
	if !ok {
		return Symbol{}, f.errorf(call, "provider %s has no doc; say what it carries", name)
	}
	if s.Doc, err = str(f, doc, "doc"); err != nil {
		return Symbol{}, err
	}
	s.Doc = cleandoc(s.Doc)
	fields, ok := kw["fields"]
	if !ok {
		return s, nil
	}
	ff, fields, err := l.expr(f, fields)
	if err != nil {
		return Symbol{}, err
	}
	if list, ok := fields.(*build.ListExpr); ok {
		for _, x := range list.List {
			field, err := str(ff, x, "a field name")
			if err != nil {
				return Symbol{}, err
			}
			s.Params = append(s.Params, Param{Name: field})
		}
		return s, nil
	}
	entries, err := l.dictEntries(ff, fields)
	if err != nil {
		return Symbol{}, fmt.Errorf("reading fields: %w", err)
	}
	for _, e := range entries {
		doc, err := str(e.file, e.value, fmt.Sprintf("the doc of field %q", e.key))
		if err != nil {
			return Symbol{}, err
		}
		s.Params = append(s.Params, Param{Name: e.key, Doc: doc})
	}
	return s, nil
}

// macro documents a def from its signature and its docstring.
func (l *loader) macro(f *file, name string, def *build.DefStmt) (Symbol, error) {
	var doc *build.StringExpr
	if len(def.Body) > 0 {
		doc, _ = def.Body[0].(*build.StringExpr)
	}
	if doc == nil {
		return Symbol{}, f.errorf(def, "def %s has no docstring; say what it creates, with an Args: section", def.Name)
	}
	d, err := parseDocstring(doc.Value)
	if err != nil {
		var de *docError
		if errors.As(err, &de) {
			return Symbol{}, f.errorAt(doc.Start.Line+de.line, "docstring of %s: %s", def.Name, de.msg)
		}
		return Symbol{}, err
	}
	documented := map[string]string{}
	for _, a := range d.args {
		if _, ok := documented[a.name]; ok {
			return Symbol{}, f.errorAt(doc.Start.Line+a.line, "docstring of %s: Args: names %s twice", def.Name, a.name)
		}
		documented[a.name] = a.doc
	}
	s := Symbol{Name: name, Kind: Macro, Doc: d.text, Returns: d.returns}
	for _, param := range def.Params {
		pname, op := build.GetParamName(param)
		if pname == "" {
			continue // the bare * that ends the positional parameters
		}
		p := Param{Name: op + pname, Mandatory: op == ""}
		if a, ok := param.(*build.AssignExpr); ok {
			p.Default = l.source(f, a.RHS)
			p.Mandatory = false
		}
		doc, ok := documented[pname]
		if !ok {
			return Symbol{}, f.errorf(param, "parameter %s of %s is not in the Args: section of its docstring", p.Name, def.Name)
		}
		delete(documented, pname)
		p.Doc = doc
		s.Params = append(s.Params, p)
	}
	for _, a := range d.args {
		if _, ok := documented[a.name]; ok {
			return Symbol{}, f.errorAt(doc.Start.Line+a.line, "docstring of %s: Args: names %s, which is not a parameter", def.Name, a.name)
		}
	}
	return s, nil
}
