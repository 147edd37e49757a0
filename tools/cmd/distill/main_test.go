package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/internal/layertest"
)

// TestMain lets tests run the test binary as distill itself: with
// DISTILL_TEST_MAIN=1 it runs main, under DISTILL_TEST_UMASK if set.
func TestMain(m *testing.M) {
	if os.Getenv("DISTILL_TEST_MAIN") != "1" {
		os.Exit(m.Run())
	}
	layertest.UmaskFromEnv()
	main()
}

type result struct {
	code           int
	stdout, stderr string
}

// distill runs distill in a new process with env added to the environment.
func distill(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "DISTILL_TEST_MAIN=1"), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return result{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

func TestExitCodesAndMessages(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.json")
	tests := []struct {
		name       string
		args       []string
		env        []string
		wantCode   int
		wantStdout string // prefix
		wantStderr string // first line, exactly
	}{
		{name: "help", args: []string{"help"}, wantStdout: "distill builds reproducible OCI images"},
		{name: "help command", args: []string{"help", "layout"}, wantStdout: "write an OCI image layout directory"},
		{name: "command -h", args: []string{"push", "-h"}, wantStdout: "push the image of an OCI layout"},
		{name: "version", args: []string{"version"}, wantStdout: "distill "},
		{name: "no command", args: nil, wantCode: 2, wantStderr: "distill builds reproducible OCI images for rules_distill."},
		{name: "unknown command", args: []string{"build"}, wantCode: 2, wantStderr: `distill: unknown command "build": run 'distill help' for the list`},
		{name: "unknown flag", args: []string{"tarball", "--layuot", "x"}, wantCode: 2, wantStderr: "distill tarball: flag provided but not defined: -layuot"},
		{name: "missing flags", args: []string{"layer", "--entries", missing}, wantCode: 2, wantStderr: "distill layer: missing required flag --output, --descriptor"},
		{
			name:       "failure",
			args:       []string{"layer", "--entries", missing, "--output", filepath.Join(dir, "blob"), "--descriptor", filepath.Join(dir, "desc.json")},
			wantCode:   1,
			wantStderr: "distill layer: reading entries: open " + missing + ": no such file or directory",
		},
		{
			name:       "bad epoch",
			args:       []string{"image", "--spec", missing, "--config-out", "c", "--manifest-out", "m", "--descriptor-out", "i", "--digest-out", "d"},
			env:        []string{"SOURCE_DATE_EPOCH=2024-01-01"},
			wantCode:   1,
			wantStderr: `distill image: SOURCE_DATE_EPOCH="2024-01-01": want decimal digits only (seconds since 1970-01-01T00:00:00Z)`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := distill(t, tc.env, tc.args...)
			if r.code != tc.wantCode {
				t.Errorf("exit code = %d, want %d (stderr %q)", r.code, tc.wantCode, r.stderr)
			}
			if !strings.HasPrefix(r.stdout, tc.wantStdout) {
				t.Errorf("stdout = %q, want it to start with %q", r.stdout, tc.wantStdout)
			}
			first, _, _ := strings.Cut(r.stderr, "\n")
			if first != tc.wantStderr {
				t.Errorf("stderr first line = %q, want %q", first, tc.wantStderr)
			}
			if tc.wantCode == 1 && strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("failure printed %d lines, want 1: %q", strings.Count(r.stderr, "\n"), r.stderr)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed commands left %v", entries)
	}
}

// build runs the whole pipeline (layer, image, layout, tarball) in out
// over the sources in src and returns every output file's bytes by name.
func build(t *testing.T, src, out string, env []string) map[string]string {
	t.Helper()
	run := func(args ...string) {
		t.Helper()
		if r := distill(t, env, args...); r.code != 0 {
			t.Fatalf("distill %s: exit %d: %s", args[0], r.code, r.stderr)
		}
	}
	p := func(name string) string { return filepath.Join(out, name) }
	entries := `{"entries": [
		{"path": "app/server", "kind": "file", "src": "` + filepath.Join(src, "server") + `", "mode": 493},
		{"path": "etc/app/conf", "kind": "file", "src": "` + filepath.Join(src, "conf") + `", "uid": 65532, "gid": 65532},
		{"path": "usr/bin/server", "kind": "symlink", "target": "/app/server"}
	]}`
	if err := os.WriteFile(p("entries.json"), []byte(entries), 0o644); err != nil {
		t.Fatal(err)
	}
	run("layer", "--entries", p("entries.json"), "--output", p("layer.tar.gz"), "--descriptor", p("layer.json"))
	spec := `{"layers": ["` + p("layer.json") + `"], "entrypoint": ["/app/server"], "env": ["TZ=UTC"], "os": "linux", "architecture": "amd64"}`
	if err := os.WriteFile(p("spec.json"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	run("image", "--spec", p("spec.json"), "--config-out", p("config.json"), "--manifest-out", p("manifest.json"), "--descriptor-out", p("image.json"), "--digest-out", p("digest"))
	run("layout", "--image", p("image.json"), "--config", p("config.json"), "--manifest", p("manifest.json"), "--blob", p("layer.tar.gz"), "--ref-name", "app:latest", "--output", p("layout"))
	run("tarball", "--layout", p("layout"), "--tag", "app:latest", "--output", p("image.tar"))

	files := map[string]string{}
	err := filepath.Walk(out, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, path)
		if rel == "entries.json" || rel == "spec.json" {
			return nil // inputs
		}
		data, err := os.ReadFile(path)
		files[rel+" "+fi.Mode().String()] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestPipelineIsReproducible builds the same image under different time
// zones, umasks, core counts and source mtimes and wants the same bytes.
func TestPipelineIsReproducible(t *testing.T) {
	src := t.TempDir()
	for name, content := range map[string]string{"server": "#!/bin/server\n", "conf": "a=b\n"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	base := []string{"SOURCE_DATE_EPOCH=1700000000"}
	want := build(t, src, t.TempDir(), append(base, "TZ=UTC", "DISTILL_TEST_UMASK=022", "GOMAXPROCS=4"))
	if len(want) < 8 {
		t.Fatalf("pipeline wrote only %d files", len(want))
	}
	// The image digest pins every byte of the pipeline: change it only on
	// purpose (a compressor upgrade, a format change) and say so.
	const golden = "sha256:865aab30307b700023423eb61dece9d138dadc90b3b0c290659d9dbd1442fc04\n"
	if got := want["digest -rw-r--r--"]; got != golden {
		t.Errorf("image digest = %q, want golden %q", got, golden)
	}
	tests := []struct {
		name  string
		env   []string
		touch bool
	}{
		{name: "time zone", env: []string{"TZ=Pacific/Chatham"}},
		{name: "umask", env: []string{"DISTILL_TEST_UMASK=077"}},
		{name: "one core", env: []string{"GOMAXPROCS=1"}},
		{name: "source mtimes and modes", touch: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.touch {
				when := time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC)
				for _, n := range []string{"server", "conf"} {
					if err := os.Chtimes(filepath.Join(src, n), when, when); err != nil {
						t.Fatal(err)
					}
					if err := os.Chmod(filepath.Join(src, n), 0o755); err != nil {
						t.Fatal(err)
					}
				}
			}
			got := build(t, src, t.TempDir(), append(append([]string{}, base...), tc.env...))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("outputs differ (-want +got):\n%s", diff)
			}
		})
	}
}
