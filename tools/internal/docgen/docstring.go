package docgen

import (
	"fmt"
	"regexp"
	"strings"
)

// docstring is a def's docstring split into its description and sections.
type docstring struct {
	text    string // the description before the sections
	args    []arg
	returns string
}

// arg is one entry of an Args: section.
type arg struct {
	name string // without leading * or **
	doc  string
	line int // line of the entry in the docstring, from 0
}

// docError is a mistake in a docstring, at a line counted from its first (0).
type docError struct {
	line int
	msg  string
}

func (e *docError) Error() string { return fmt.Sprintf("line %d: %s", e.line+1, e.msg) }

func docErrorf(line int, format string, args ...any) error {
	return &docError{line: line, msg: fmt.Sprintf(format, args...)}
}

// argLine is an entry of an Args: section: "name: doc", "*args: doc" or "**kwargs: doc".
var argLine = regexp.MustCompile(`^\*{0,2}([A-Za-z_][A-Za-z0-9_]*):(?:\s+(.*))?$`)

// sections are the headers that may follow a description, at its indentation.
var sections = map[string]bool{"Args:": true, "Returns:": true}

// dedent returns the lines of a docstring without the indentation the
// lines after the first have in common, and without trailing spaces.
func dedent(s string) []string {
	lines := strings.Split(s, "\n")
	indent := -1
	for _, line := range lines[1:] {
		if n := indentOf(line); n < len(line) && (indent < 0 || n < indent) {
			indent = n
		}
	}
	lines[0] = strings.TrimSpace(lines[0])
	for i := range lines {
		line := strings.TrimRight(lines[i], " \t\r")
		if i > 0 && indent > 0 {
			line = line[min(indent, indentOf(line)):]
		}
		lines[i] = line
	}
	return lines
}

// indentOf is the number of leading spaces of line.
func indentOf(line string) int {
	return len(line) - len(strings.TrimLeft(line, " "))
}

// cleandoc removes a docstring's common indentation and its leading and trailing blank lines.
func cleandoc(s string) string {
	return strings.Trim(strings.Join(dedent(s), "\n"), "\n")
}

// parseDocstring splits a Google-style docstring into its description, its
// Args: entries and its Returns: text. A *docError reports a section docgen
// does not understand.
func parseDocstring(s string) (docstring, error) {
	lines := dedent(s)
	var d docstring
	end := len(lines)
	for i, line := range lines {
		if sections[line] {
			end = i
			break
		}
	}
	d.text = strings.Trim(strings.Join(lines[:end], "\n"), "\n")
	for i := end; i < len(lines); {
		header := lines[i]
		if !sections[header] {
			return docstring{}, docErrorf(i, "%q after the sections: only indented Args: and Returns: sections may follow the description", header)
		}
		next := i + 1
		for next < len(lines) && (lines[next] == "" || indentOf(lines[next]) > 0) {
			next++
		}
		body := lines[i+1 : next]
		switch header {
		case "Args:":
			if d.args != nil {
				return docstring{}, docErrorf(i, "a second Args: section")
			}
			args, err := parseArgs(body, i+1)
			if err != nil {
				return docstring{}, err
			}
			d.args = args
		case "Returns:":
			if d.returns != "" {
				return docstring{}, docErrorf(i, "a second Returns: section")
			}
			d.returns = strings.Trim(strings.Join(dedent("\n"+strings.Join(body, "\n")), "\n"), "\n")
		}
		i = next
	}
	return d, nil
}

// parseArgs reads the body of an Args: section, whose first line is line
// first of the docstring: entries at one indentation, their continuation
// lines indented further.
func parseArgs(body []string, first int) ([]arg, error) {
	args := []arg{}
	indent := -1
	for i, line := range body {
		if line == "" {
			continue
		}
		n := indentOf(line)
		if indent < 0 {
			indent = n
		}
		switch {
		case n > indent && len(args) > 0:
			a := &args[len(args)-1]
			a.doc = strings.TrimSpace(a.doc + " " + strings.TrimSpace(line))
		case n == indent:
			m := argLine.FindStringSubmatch(line[n:])
			if m == nil {
				return nil, docErrorf(first+i, "Args: entry %q is not \"name: description\"", strings.TrimSpace(line))
			}
			args = append(args, arg{name: m[1], doc: m[2], line: first + i})
		default:
			return nil, docErrorf(first+i, "line %q is indented less than the Args: entries above it", strings.TrimSpace(line))
		}
	}
	return args, nil
}
