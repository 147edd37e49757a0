package docgen

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/NNN.golden.md from testdata/NNN.bzl")

func goldenConfig(file string) Config {
	return Config{
		Root:       "testdata",
		Files:      []string{file},
		Repo:       "example",
		Regenerate: "go test ./tools/internal/docgen -run TestGolden -update",
	}
}

func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/[0-9][0-9][0-9].bzl")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no testdata/NNN.bzl: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".bzl")
		t.Run(name, func(t *testing.T) {
			got, err := Generate(goldenConfig(name + ".bzl"))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name+".golden.md")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./tools/internal/docgen -run TestGolden -update)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("Generate(%s) mismatch (-want +got):\n%s", in, diff)
			}
		})
	}
}

// TestIdempotent generates every page twice, once from an absolute root:
// the bytes must not change, so the drift check never flaps.
func TestIdempotent(t *testing.T) {
	abs, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"001.bzl", "002.bzl"} {
		t.Run(file, func(t *testing.T) {
			c := goldenConfig(file)
			first, err := Generate(c)
			if err != nil {
				t.Fatal(err)
			}
			c.Root = abs
			second, err := Generate(c)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(first), string(second)); diff != "" {
				t.Errorf("second Generate differs (-first +second):\n%s", diff)
			}
			if !bytes.HasSuffix(first, []byte("\n")) || bytes.HasSuffix(first, []byte("\n\n")) {
				t.Errorf("page does not end in exactly one newline: %q", first[max(0, len(first)-20):])
			}
		})
	}
}

// TestRepository documents rules_distill's own public files: every shape
// they use must be understood.
func TestRepository(t *testing.T) {
	got, err := Generate(Config{
		Root:       filepath.Join("..", "..", ".."),
		Files:      []string{"rules/defs.bzl", "rules/repositories.bzl"},
		Repo:       "rules_distill",
		Regenerate: "go run ./tools/cmd/docgen -o docs/rules.md",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"### image_layer", "### distroless_image", "### distill_toolchain", "### ImageInfo", "### LayerInfo",
		"### distill_register_toolchains", "### distill_from_source", "### distill_prebuilt",
		"| `srcs` |", "| `**kwargs` |",
	} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("the page has no %q", want)
		}
	}
	for _, unwanted := range []string{"_source_date_epoch", "distroless_image_rule", "_distill_toolchains"} {
		if bytes.Contains(got, []byte(unwanted)) {
			t.Errorf("the page documents the private %q", unwanted)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string // below the root; "api.bzl" is documented
		want  string
	}{{
		name:  "attrs from a function call",
		files: map[string]string{"api.bzl": "r = rule(\n    doc = \"R.\",\n    attrs = make_attrs(),\n)\n"},
		want:  "api.bzl:3: make_attrs() is not a dict docgen understands",
	}, {
		name:  "attribute that is not attr.TYPE",
		files: map[string]string{"api.bzl": "r = rule(doc = \"R.\", attrs = {\n    \"a\": 1,\n})\n"},
		want:  `api.bzl:2: attribute "a" is 1; docgen wants attr.TYPE(...)`,
	}, {
		name:  "unknown attr type",
		files: map[string]string{"api.bzl": "r = rule(doc = \"R.\", attrs = {\"a\": attr.magic(doc = \"A.\")})\n"},
		want:  `api.bzl:1: attribute "a" is attr.magic(doc = "A.")`,
	}, {
		name:  "attribute without doc",
		files: map[string]string{"api.bzl": "r = rule(\n    doc = \"R.\",\n    attrs = {\"a\": attr.string()},\n)\n"},
		want:  `api.bzl:3: attribute "a" has no doc`,
	}, {
		name:  "private attribute needs no doc",
		files: map[string]string{"api.bzl": "r = rule(doc = \"R.\", attrs = {\"_a\": attr.string()})\n_x = 1\n"},
	}, {
		name:  "attribute given twice",
		files: map[string]string{"api.bzl": "_A = {\"a\": attr.string(doc = \"A.\")}\n_r = rule(doc = \"R.\", attrs = dict(_A, **_A))\nr = _r\n"},
		want:  `api.bzl:1: attribute "a" is given twice`,
	}, {
		name:  "mandatory that is not a literal",
		files: map[string]string{"api.bzl": "r = rule(doc = \"R.\", attrs = {\"a\": attr.string(doc = \"A.\", mandatory = M)})\n"},
		want:  `api.bzl:1: mandatory of attribute "a" is M; want True or False`,
	}, {
		name:  "rule without doc",
		files: map[string]string{"api.bzl": "\nr = rule(implementation = _impl)\n"},
		want:  "api.bzl:2: rule(...) for r has no doc",
	}, {
		name:  "doc that is not a literal",
		files: map[string]string{"api.bzl": "r = rule(\n    doc = DOC,\n)\n"},
		want:  "api.bzl:2: doc is DOC; docgen wants a string literal",
	}, {
		name:  "rule called with **kwargs",
		files: map[string]string{"api.bzl": "r = rule(doc = \"R.\", **ARGS)\n"},
		want:  "api.bzl:1: rule(**...): docgen cannot see into ** arguments",
	}, {
		name:  "public constant",
		files: map[string]string{"api.bzl": "\nVERSION = \"1.0\"\n"},
		want:  `api.bzl:2: VERSION is bound to "1.0", which docgen cannot document`,
	}, {
		name:  "public name bound by unpacking",
		files: map[string]string{"api.bzl": "a, b = 1, 2\n"},
		want:  "api.bzl:1: a is bound by an assignment docgen cannot follow",
	}, {
		name:  "name bound twice",
		files: map[string]string{"api.bzl": "load(\"//private:x.bzl\", \"r\")\n\nr = r\n"},
		want:  "api.bzl:3: r is already bound at line 1",
	}, {
		name:  "macro without docstring",
		files: map[string]string{"api.bzl": "def m(name):\n    pass\n"},
		want:  "api.bzl:1: def m has no docstring",
	}, {
		name:  "macro parameter not in Args",
		files: map[string]string{"api.bzl": "def m(\n        name,\n        srcs = []):\n    \"\"\"M.\n\n    Args:\n      name: the name.\n    \"\"\"\n"},
		want:  "api.bzl:3: parameter srcs of m is not in the Args: section",
	}, {
		name:  "Args names a missing parameter",
		files: map[string]string{"api.bzl": "def m(name):\n    \"\"\"M.\n\n    Args:\n      name: the name.\n      srcs: gone.\n    \"\"\"\n"},
		want:  "api.bzl:6: docstring of m: Args: names srcs, which is not a parameter",
	}, {
		name:  "Args entry that is not name: description",
		files: map[string]string{"api.bzl": "def m(name):\n    \"\"\"M.\n\n    Args:\n      name (str): the name.\n    \"\"\"\n"},
		want:  `api.bzl:5: docstring of m: Args: entry "name (str): the name." is not "name: description"`,
	}, {
		name:  "unknown section after Args",
		files: map[string]string{"api.bzl": "def m(name):\n    \"\"\"M.\n\n    Args:\n      name: the name.\n\n    Raises:\n      nothing.\n    \"\"\"\n"},
		want:  `api.bzl:7: docstring of m: "Raises:" after the sections`,
	}, {
		name:  "load from another repository",
		files: map[string]string{"api.bzl": "load(\"@other//:defs.bzl\", _r = \"r\")\n\nr = _r\n"},
		want:  `api.bzl:1: following load of _r: label "@other//:defs.bzl" is in another repository`,
	}, {
		name:  "load of a missing file",
		files: map[string]string{"api.bzl": "load(\"//private:gone.bzl\", _r = \"r\")\nr = _r\n"},
		want:  "api.bzl:1: following load of _r: reading private/gone.bzl",
	}, {
		name: "load of a name the file does not define",
		files: map[string]string{
			"api.bzl":       "load(\":private/x.bzl\", _r = \"r\")\nr = _r\n",
			"private/x.bzl": "s = 1\n",
		},
		want: "api.bzl:1: load of _r: private/x.bzl does not define r",
	}, {
		name: "error in a loaded file",
		files: map[string]string{
			"api.bzl":       "load(\"//private:x.bzl\", _r = \"r\")\nr = _r\n",
			"private/x.bzl": "\n\nr = rule(doc = \"R.\", attrs = {\"a\": attr.string(doc = 1)})\n",
		},
		want: filepath.Join("private", "x.bzl") + `:3: the doc of attribute "a" is 1`,
	}, {
		name:  "syntax error",
		files: map[string]string{"api.bzl": "r = rule(\n"},
		want:  "parsing Starlark: ",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for name, content := range tc.files {
				path := filepath.Join(root, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Load(root, "api.bzl")
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Load: %v", err)
			case tc.want == "":
			case err == nil:
				t.Fatalf("Load succeeded, want an error with %q", tc.want)
			case !strings.Contains(err.Error(), tc.want):
				t.Errorf("Load error:\n  %v\nwant it to contain\n  %s", err, tc.want)
			}
		})
	}
}
