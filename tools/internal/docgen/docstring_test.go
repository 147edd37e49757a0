package docgen

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseDocstring(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want docstring
	}{{
		name: "one line",
		in:   "Does a thing.",
		want: docstring{text: "Does a thing."},
	}, {
		name: "description keeps its own sections and code",
		in: `Does a thing.

    Example:

    ` + "```" + `
    thing(name = "x")
    ` + "```" + `
    `,
		want: docstring{text: "Does a thing.\n\nExample:\n\n```\nthing(name = \"x\")\n```"},
	}, {
		name: "args with continuations, stars and an empty first line",
		in: `Does a thing.

    Args:
      name: the name.
      srcs:
        the sources,
        in order.
      *args: the rest.
      **kwargs: common attributes.
    `,
		want: docstring{text: "Does a thing.", args: []arg{
			{name: "name", doc: "the name.", line: 3},
			{name: "srcs", doc: "the sources, in order.", line: 4},
			{name: "args", doc: "the rest.", line: 7},
			{name: "kwargs", doc: "common attributes.", line: 8},
		}},
	}, {
		name: "returns before args",
		in: `
        Computes.

        Returns:
          A value,
            indented more.

        Args:
          x: the input.
        `,
		want: docstring{
			text:    "Computes.",
			args:    []arg{{name: "x", doc: "the input.", line: 8}},
			returns: "A value,\n  indented more.",
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseDocstring(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(docstring{}, arg{})); diff != "" {
				t.Errorf("parseDocstring mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDocstringErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want *docError
	}{{
		name: "entry without a colon",
		in:   "D.\n\n    Args:\n      name the name.\n",
		want: &docError{line: 3, msg: `Args: entry "name the name." is not "name: description"`},
	}, {
		name: "text after the sections",
		in:   "D.\n\n    Args:\n      name: the name.\n\n    More text.\n",
		want: &docError{line: 5, msg: `"More text." after the sections: only indented Args: and Returns: sections may follow the description`},
	}, {
		name: "two Args sections",
		in:   "D.\n\n    Args:\n      a: A.\n    Args:\n      b: B.\n",
		want: &docError{line: 4, msg: "a second Args: section"},
	}, {
		name: "entry indented less than the first",
		in:   "D.\n\n    Args:\n        a: A.\n      b: B.\n",
		want: &docError{line: 4, msg: `line "b: B." is indented less than the Args: entries above it`},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseDocstring(tc.in)
			got, _ := err.(*docError)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(docError{})); diff != "" {
				t.Errorf("parseDocstring error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
