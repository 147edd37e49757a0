package docgen

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/bazelbuild/buildtools/build"
)

// file is one parsed .bzl file and the top-level names it binds.
type file struct {
	display  string // path for messages: the root joined with rel
	rel      string // slash path relative to the root, e.g. "rules/private/image.bzl"
	syntax   *build.File
	bindings map[string]binding
	order    []string // bound names in source order
}

// binding is what a top-level name of a file stands for: exactly one of
// def, value and load is set.
type binding struct {
	def   *build.DefStmt
	value build.Expr // the right-hand side of NAME = value
	load  *build.LoadStmt
	from  string // the name in the loaded file, with load
	pos   build.Position
}

// loader parses .bzl files below a root once each and resolves names
// across their load statements.
type loader struct {
	root  string
	files map[string]*file
}

func newLoader(root string) *loader {
	return &loader{root: root, files: map[string]*file{}}
}

// errorf returns an error that starts with the file and line of x; format
// may wrap an error with %w.
func (f *file) errorf(x build.Expr, format string, args ...any) error {
	start, _ := x.Span()
	return f.errorAt(start.Line, format, args...)
}

func (f *file) errorAt(line int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: "+format, append([]any{f.display, line}, args...)...)
}

// load parses the file at rel, a slash path relative to the root.
func (l *loader) load(rel string) (*file, error) {
	if f, ok := l.files[rel]; ok {
		return f, nil
	}
	display := filepath.Join(l.root, filepath.FromSlash(rel))
	data, err := os.ReadFile(display)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", rel, err)
	}
	syntax, err := build.ParseBzl(display, data)
	if err != nil {
		return nil, fmt.Errorf("parsing Starlark: %w", err) // err starts with the file and line
	}
	f := &file{display: display, rel: rel, syntax: syntax, bindings: map[string]binding{}}
	for _, stmt := range syntax.Stmt {
		var err error
		switch stmt := stmt.(type) {
		case *build.LoadStmt:
			for i, to := range stmt.To {
				if err = f.bind(to.Name, binding{load: stmt, from: stmt.From[i].Name, pos: to.NamePos}); err != nil {
					break
				}
			}
		case *build.DefStmt:
			err = f.bind(stmt.Name, binding{def: stmt, pos: stmt.StartPos})
		case *build.AssignExpr:
			start, _ := stmt.Span()
			if id, ok := stmt.LHS.(*build.Ident); ok && stmt.Op == "=" {
				err = f.bind(id.Name, binding{value: stmt.RHS, pos: start})
				break
			}
			// a, b = ...: the names are bound to something docgen cannot
			// follow; resolving one of them fails with this line.
			build.Walk(stmt.LHS, func(x build.Expr, _ []build.Expr) {
				if id, ok := x.(*build.Ident); ok && err == nil {
					err = f.bind(id.Name, binding{pos: start})
				}
			})
		}
		if err != nil {
			return nil, err
		}
	}
	l.files[rel] = f
	return f, nil
}

func (f *file) binds(name string) bool {
	_, ok := f.bindings[name]
	return ok
}

// bind binds name at the top level; Starlark binds each name there once.
func (f *file) bind(name string, b binding) error {
	if old, ok := f.bindings[name]; ok {
		return f.errorAt(b.pos.Line, "%s is already bound at line %d; a top-level name is bound once", name, old.pos.Line)
	}
	f.bindings[name] = b
	f.order = append(f.order, name)
	return nil
}

// resolve follows name through loads and aliases (NAME = OTHER) to the def
// or expression that defines it, and returns it with the file it is in.
// line is where name is used, for the error when it is not bound.
func (l *loader) resolve(f *file, name string, line int) (*file, binding, error) {
	for range 100 {
		b, ok := f.bindings[name]
		if !ok {
			return nil, binding{}, f.errorAt(line, "%s is not defined at the top level of %s or loaded into it", name, f.rel)
		}
		switch {
		case b.load != nil:
			rel, err := f.labelPath(b.load.Module.Value)
			if err != nil {
				return nil, binding{}, f.errorAt(b.pos.Line, "following load of %s: %w", name, err)
			}
			loaded, err := l.load(rel)
			if err != nil {
				return nil, binding{}, f.errorAt(b.pos.Line, "following load of %s: %w", name, err)
			}
			if !loaded.binds(b.from) {
				return nil, binding{}, f.errorAt(b.pos.Line, "load of %s: %s does not define %s at the top level", name, rel, b.from)
			}
			f, name = loaded, b.from
		case b.def != nil:
			return f, b, nil
		case b.value == nil:
			return nil, binding{}, f.errorAt(b.pos.Line, "%s is bound by an assignment docgen cannot follow; bind it with %s = ...", name, name)
		default:
			id, ok := b.value.(*build.Ident)
			if !ok || !f.binds(id.Name) {
				return f, b, nil // a value, or a builtin such as True
			}
			name, line = id.Name, id.NamePos.Line
		}
	}
	return nil, binding{}, f.errorAt(line, "%s: too many aliases or a cycle of loads", name)
}

// labelPath turns the label of a load into a slash path relative to the
// root: "//pkg:file.bzl" or ":file.bzl" (relative to f's package).
func (f *file) labelPath(label string) (string, error) {
	pkg, name, ok := strings.Cut(label, ":")
	switch {
	case !ok || name == "" || strings.Contains(name, ":"):
		return "", fmt.Errorf("label %q: want //package:file.bzl or :file.bzl", label)
	case pkg == "":
		return path.Join(path.Dir(f.rel), name), nil
	case strings.HasPrefix(pkg, "//"):
		return path.Join(strings.TrimPrefix(pkg, "//"), name), nil
	default:
		return "", fmt.Errorf("label %q is in another repository; docgen follows //package:file.bzl and :file.bzl only", label)
	}
}

// expr resolves an identifier to the expression it is bound to; any other
// expression is returned as it is.
func (l *loader) expr(f *file, x build.Expr) (*file, build.Expr, error) {
	id, ok := x.(*build.Ident)
	if !ok {
		return f, x, nil
	}
	f, b, err := l.resolve(f, id.Name, id.NamePos.Line)
	if err != nil {
		return nil, nil, err
	}
	if b.def != nil {
		return nil, nil, f.errorf(b.def, "%s is a function, not a value", id.Name)
	}
	return f, b.value, nil
}
