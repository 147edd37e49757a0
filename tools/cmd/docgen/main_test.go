package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// repoRoot is the root of rules_distill, seen from this package.
var repoRoot = filepath.Join("..", "..", "..")

func TestRun(t *testing.T) {
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if code := run([]string{"-root", root}, &page, os.Stderr); code != 0 {
		t.Fatalf("docgen to stdout: exit %d", code)
	}
	t.Chdir(t.TempDir())
	if err := os.Mkdir("docs", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		args       []string
		before     string // docs/rules.md before the run; "-" for none
		wantCode   int
		wantStderr string
		wantFile   string // docs/rules.md after the run; "-" for none
	}{{
		name:     "write",
		args:     []string{"-root", root, "-o", "docs/rules.md"},
		before:   "-",
		wantFile: page.String(),
	}, {
		name:     "check up to date",
		args:     []string{"-root", root, "-check", "docs/rules.md"},
		before:   page.String(),
		wantFile: page.String(),
	}, {
		name:       "check out of date",
		args:       []string{"-root", root, "-check", "docs/rules.md"},
		before:     page.String() + "edited\n",
		wantCode:   1,
		wantStderr: "docs/rules.md is out of date: run go run ./tools/cmd/docgen -o docs/rules.md\n",
		wantFile:   page.String() + "edited\n",
	}, {
		name:       "check missing",
		args:       []string{"-root", root, "-check", "docs/rules.md"},
		before:     "-",
		wantCode:   1,
		wantStderr: "docs/rules.md is out of date: run go run ./tools/cmd/docgen -o docs/rules.md\n",
		wantFile:   "-",
	}, {
		name:     "both -o and -check",
		args:     []string{"-o", "docs/rules.md", "-check", "docs/rules.md"},
		before:   "-",
		wantCode: 2,
		wantFile: "-",
	}, {
		name:     "unexpected argument",
		args:     []string{"docs/rules.md"},
		before:   "-",
		wantCode: 2,
		wantFile: "-",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove("docs/rules.md")
			if tc.before != "-" {
				if err := os.WriteFile("docs/rules.md", []byte(tc.before), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.wantCode, &stderr)
			}
			if tc.wantCode != 2 {
				if diff := cmp.Diff(tc.wantStderr, stderr.String()); diff != "" {
					t.Errorf("stderr mismatch (-want +got):\n%s", diff)
				}
			}
			got, err := os.ReadFile("docs/rules.md")
			if os.IsNotExist(err) {
				got, err = []byte("-"), nil
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantFile, string(got)); diff != "" {
				t.Errorf("docs/rules.md mismatch (-want +got):\n%s", diff)
			}
			if entries, _ := os.ReadDir("docs"); len(entries) > 1 {
				t.Errorf("docs/ holds more than rules.md: %v", entries)
			}
		})
	}
}

func TestBrokenInput(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "rules", "defs.bzl"), []byte("VERSION = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if code := run([]string{"-root", root}, &bytes.Buffer{}, &stderr); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	want := "docgen: documenting VERSION: " + filepath.Join(root, "rules", "defs.bzl") +
		":1: VERSION is bound to 1, which docgen cannot document: want rule(...), repository_rule(...), provider(...) or a def; give it a leading _ if it is not public\n"
	if diff := cmp.Diff(want, stderr.String()); diff != "" {
		t.Errorf("stderr mismatch (-want +got):\n%s", diff)
	}
}
