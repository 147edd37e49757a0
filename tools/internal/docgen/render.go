package docgen

import (
	"bytes"
	"fmt"
	"strings"
)

// Config says what Generate documents and how the page introduces itself.
type Config struct {
	// Root is the directory of the repository.
	Root string
	// Files are the public .bzl files, slash paths relative to Root.
	Files []string
	// Repo is the repository name users load the files from, e.g. "rules_distill".
	Repo string
	// Regenerate is the command that regenerates the page, named in its header.
	Regenerate string
}

// Generate documents c.Files and returns the Markdown page. The page depends
// only on the files' contents, never on where or when it is generated.
func Generate(c Config) ([]byte, error) {
	var modules []*Module
	for _, f := range c.Files {
		m, err := Load(c.Root, f)
		if err != nil {
			return nil, err // it names the file and line
		}
		modules = append(modules, m)
	}
	return Render(c, modules), nil
}

// Render writes the Markdown page for modules: a header saying the page is
// generated, contents, then per module its docstring and per symbol a
// section with its signature, doc and a table of its parameters.
func Render(c Config, modules []*Module) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!-- Generated from %s; do not edit.\n     Regenerate: %s -->\n\n", strings.Join(c.Files, ", "), c.Regenerate)
	fmt.Fprintf(&b, "# %s API reference\n\n", c.Repo)
	for _, m := range modules {
		var links []string
		for _, s := range m.Symbols {
			links = append(links, fmt.Sprintf("[%s](#%s) (%s)", s.Name, strings.ToLower(s.Name), s.Kind))
		}
		fmt.Fprintf(&b, "- `%s`: %s\n", m.Label, strings.Join(links, ", "))
	}
	for _, m := range modules {
		renderModule(&b, c.Repo, m)
	}
	return append(bytes.TrimRight(b.Bytes(), "\n"), '\n')
}

func renderModule(b *bytes.Buffer, repo string, m *Module) {
	fmt.Fprintf(b, "\n## %s\n\n", m.Label)
	if m.Doc != "" {
		fmt.Fprintf(b, "%s\n\n", m.Doc)
	}
	var names []string
	for _, s := range m.Symbols {
		names = append(names, fmt.Sprintf("%q", s.Name))
	}
	fmt.Fprintf(b, "```starlark\nload(\"@%s%s\", %s)\n```\n", repo, m.Label, strings.Join(names, ", "))
	for _, s := range m.Symbols {
		renderSymbol(b, s)
	}
}

func renderSymbol(b *bytes.Buffer, s Symbol) {
	var params []string
	for _, p := range s.Params {
		params = append(params, p.Name)
	}
	fmt.Fprintf(b, "\n### %s\n\n*%s*\n\n```starlark\n%s(%s)\n```\n\n%s\n", s.Name, s.Kind, s.Name, strings.Join(params, ", "), s.Doc)
	renderParams(b, s)
	if s.Returns != "" {
		fmt.Fprintf(b, "\n**Returns:** %s\n", s.Returns)
	}
}

// renderParams writes the table of a symbol's attributes, parameters or fields.
func renderParams(b *bytes.Buffer, s Symbol) {
	if len(s.Params) == 0 {
		return
	}
	switch s.Kind {
	case Rule, RepositoryRule:
		b.WriteString("\n| Attribute | Description | Type | Default | Mandatory |\n|---|---|---|---|---|\n")
		for _, p := range s.Params {
			fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", p.Name, cell(p.Doc), p.Type, code(p.Default), yesNo(p.Mandatory))
		}
	case Macro:
		b.WriteString("\n| Parameter | Description | Default | Mandatory |\n|---|---|---|---|\n")
		for _, p := range s.Params {
			fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", p.Name, cell(p.Doc), code(p.Default), yesNo(p.Mandatory))
		}
	case Provider:
		b.WriteString("\n| Field | Description |\n|---|---|\n")
		for _, p := range s.Params {
			fmt.Fprintf(b, "| `%s` | %s |\n", p.Name, cell(p.Doc))
		}
	}
}

// cell makes text fit in one cell of a Markdown table.
func cell(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
}

// code is one line of Starlark as inline code in a table cell; empty stays empty.
func code(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	switch {
	case s == "":
		return ""
	case strings.Contains(s, "`"):
		return "`` " + s + " ``"
	default:
		return "`" + s + "`"
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
