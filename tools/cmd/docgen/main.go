package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/rules-distill/rules_distill/tools/internal/docgen"
	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
)

// config documents the public API of rules_distill, run from the repository root.
var config = docgen.Config{
	Root:       ".",
	Files:      []string{"rules/defs.bzl", "rules/repositories.bzl"},
	Repo:       "rules_distill",
	Regenerate: "go run ./tools/cmd/docgen -o docs/rules.md",
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs docgen and returns the exit code: 0 on success, 1 when the
// documentation cannot be generated or is out of date, 2 for a mistake in
// the command line.
func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("docgen", flag.ContinueOnError)
	flags.SetOutput(stderr)
	out := flags.String("o", "", "write the Markdown to `FILE` instead of stdout")
	check := flags.String("check", "", "do not write: exit 1 if `FILE` differs from what docgen would write")
	root := flags.String("root", config.Root, "the repository root `DIR`")
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: docgen [-root DIR] [-o FILE | -check FILE]\n\nWrites the reference of %v as Markdown.\n\n", config.Files)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() > 0 || (*out != "" && *check != "") {
		flags.Usage()
		return 2
	}
	c := config
	c.Root = *root
	doc, err := docgen.Generate(c)
	if err != nil {
		fmt.Fprintf(stderr, "docgen: %v\n", err)
		return 1
	}
	switch {
	case *check != "":
		return checkFile(*check, doc, stderr)
	case *out != "":
		if err := atomicfile.WriteFile(*out, doc); err != nil {
			fmt.Fprintf(stderr, "docgen: %v\n", err)
			return 1
		}
	default:
		if _, err := stdout.Write(doc); err != nil {
			fmt.Fprintf(stderr, "docgen: writing to stdout: %v\n", err)
			return 1
		}
	}
	return 0
}

// checkFile compares path with doc and says how to update it when they differ.
func checkFile(path string, doc []byte, stderr io.Writer) int {
	got, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(stderr, "docgen: reading %s: %v\n", path, err)
		return 1
	}
	if err != nil || !bytes.Equal(got, doc) {
		fmt.Fprintf(stderr, "%s is out of date: run %s\n", path, regenerate(path))
		return 1
	}
	return 0
}

// regenerate is the command that rewrites path.
func regenerate(path string) string {
	return "go run ./tools/cmd/docgen -o " + path
}
