package deblayer

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/internal/debtest"
	"github.com/rules-distill/rules_distill/tools/internal/layertest"
	"github.com/rules-distill/rules_distill/tools/pkg/deb"
)

// TestMain lets tests run the test binary as `distill deb-layer`: with
// DISTILL_TEST_DEB_LAYER=1 it runs Run on its arguments, under
// DISTILL_TEST_UMASK if set.
func TestMain(m *testing.M) {
	if os.Getenv("DISTILL_TEST_DEB_LAYER") != "1" {
		os.Exit(m.Run())
	}
	layertest.UmaskFromEnv()
	if err := Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		os.Stderr.WriteString("distill deb-layer: " + err.Error() + "\n")
		os.Exit(1)
	}
	os.Exit(0)
}

var data = []debtest.Entry{
	debtest.Dir("./", 0o755),
	debtest.Dir("./usr/", 0o755),
	debtest.Dir("./usr/bin/", 0o755),
	debtest.File("./usr/bin/hello", 0o4755, "#!hello\n"),
	debtest.Dir("./lib/", 0o755),
	debtest.File("./lib/libhello.so.1", 0o644, "ELF"),
	debtest.Dir("./usr/share/", 0o755),
	debtest.Dir("./usr/share/doc/", 0o755),
	debtest.Dir("./usr/share/doc/hello/", 0o755),
	debtest.File("./usr/share/doc/hello/copyright", 0o644, "license\n"),
	debtest.File("./usr/share/doc/hello/changelog.gz", 0o644, "changes"),
}

func writeDeb(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hello_1.0-1_amd64.deb")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func ls(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// names lists the entries of a gzip layer.
func names(t *testing.T, blob string) []string {
	t.Helper()
	f, err := os.Open(blob)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var got []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, h.Name)
	}
}

func TestRun(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	pkg := writeDeb(t, debtest.Package{Data: data, DataCompression: deb.Xz, ControlCompression: deb.Gzip}.Build(t))
	out := t.TempDir()
	for _, c := range []string{"gzip", "zstd", "none"} {
		t.Run(c, func(t *testing.T) {
			blob, desc := filepath.Join(out, c+".tar"), filepath.Join(out, c+".json")
			var stderr bytes.Buffer
			args := []string{"--deb", pkg, "--output", blob, "--descriptor", desc, "--compression", c}
			if err := Run(context.Background(), args, io.Discard, &stderr); err != nil {
				t.Fatal(err)
			}
			if want := "distill deb-layer: note: hello: setuid file usr/bin/hello (mode 4755)\n"; stderr.String() != want {
				t.Errorf("stderr = %q, want %q", stderr.String(), want)
			}
			layertest.CheckOutputs(t, blob, desc)
		})
	}
	want := []string{"gzip.json", "gzip.tar", "none.json", "none.tar", "zstd.json", "zstd.tar"}
	if diff := cmp.Diff(want, ls(t, out)); diff != "" {
		t.Errorf("output directory (-want +got):\n%s", diff)
	}
}

func TestRunFlags(t *testing.T) {
	pkg := writeDeb(t, debtest.Package{Data: data}.Build(t))
	status := []string{"var/", "var/lib/", "var/lib/dpkg/", "var/lib/dpkg/status.d/", "var/lib/dpkg/status.d/hello"}
	tests := []struct {
		name  string
		flags []string
		want  []string
	}{
		{name: "defaults", want: append([]string{
			"usr/", "usr/bin/", "usr/bin/hello", "lib/", "lib/libhello.so.1",
			"usr/share/", "usr/share/doc/", "usr/share/doc/hello/", "usr/share/doc/hello/copyright",
		}, status...)},
		{name: "keep docs and merged usr", flags: []string{"--keep-docs", "--merged-usr"}, want: append([]string{
			"usr/", "usr/bin/", "usr/bin/hello", "usr/lib/", "usr/lib/libhello.so.1",
			"usr/share/", "usr/share/doc/", "usr/share/doc/hello/", "usr/share/doc/hello/copyright", "usr/share/doc/hello/changelog.gz",
		}, status...)},
		{name: "include and exclude", flags: []string{"--include", "usr/**", "--include", "lib/*.so.*", "--exclude", "usr/share/doc/*/copyright"}, want: append([]string{
			"usr/", "usr/bin/", "usr/bin/hello", "lib/", "lib/libhello.so.1", "usr/share/", "usr/share/doc/", "usr/share/doc/hello/",
		}, status...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			blob := filepath.Join(out, "layer.tar.gz")
			args := append([]string{"--deb", pkg, "--output", blob, "--descriptor", filepath.Join(out, "desc.json")}, tc.flags...)
			if err := Run(context.Background(), args, io.Discard, io.Discard); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, names(t, blob)); diff != "" {
				t.Errorf("layer entries (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunFailureLeavesNothing(t *testing.T) {
	good := writeDeb(t, debtest.Package{Data: data}.Build(t))
	refused := writeDeb(t, debtest.Package{Data: []debtest.Entry{debtest.File("./usr/bin/x", 0o755, "x"), debtest.Symlink("./usr/bin/y", "../../../etc/shadow")}}.Build(t))
	ms := debtest.Package{Data: data, DataCompression: deb.Zstd}.Members(t)
	ms[2].Data = ms[2].Data[:len(ms[2].Data)-30]
	truncated := writeDeb(t, debtest.Ar(ms))
	notDeb := writeDeb(t, []byte("#!/bin/sh\necho not a package\n"))
	missing := filepath.Join(t.TempDir(), "missing.deb")
	tests := []struct {
		name      string
		deb       string
		epoch     string
		extra     []string
		wantErr   string
		wantUsage bool
	}{
		{name: "refused entry", deb: refused, wantErr: `hello: entry "./usr/bin/y": symlink to "../../../etc/shadow" leaves the image root from "usr/bin/y"`},
		{name: "truncated", deb: truncated, wantErr: "hello: data.tar.zst: truncated"},
		{name: "not a package", deb: notDeb, wantErr: notDeb + `: not a Debian package: no ar archive magic`},
		{name: "missing package", deb: missing, wantErr: "opening package: open " + missing},
		{name: "directory", deb: t.TempDir(), wantErr: "is not a regular file"},
		{name: "bad epoch", deb: good, epoch: "-1", wantErr: `SOURCE_DATE_EPOCH="-1"`},
		{name: "bad compression", deb: good, extra: []string{"--compression", "xz"}, wantErr: `--compression: unknown compression "xz"`, wantUsage: true},
		{name: "level for none", deb: good, extra: []string{"--compression", "none", "--level", "1"}, wantErr: "compression none takes no level", wantUsage: true},
		{name: "zstd level", deb: good, extra: []string{"--compression", "zstd", "--level", "0"}, wantErr: "zstd level 0 is outside 1..22", wantUsage: true},
		{name: "bad include", deb: good, extra: []string{"--include", "/usr/**"}, wantErr: `--include: pattern "/usr/**": patterns are layer paths, relative to the image root: drop the leading "/"`, wantUsage: true},
		{name: "bad exclude", deb: good, extra: []string{"--include", "usr", "--exclude", "usr/[x"}, wantErr: `--exclude: pattern "usr/[x": element "[x": syntax error in pattern`, wantUsage: true},
		{name: "positional argument", deb: good, extra: []string{"extra.deb"}, wantErr: `unexpected argument "extra.deb"`, wantUsage: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("SOURCE_DATE_EPOCH", tc.epoch)
			out := t.TempDir()
			args := append([]string{"--deb", tc.deb, "--output", filepath.Join(out, "blob"), "--descriptor", filepath.Join(out, "desc.json")}, tc.extra...)
			err := Run(context.Background(), args, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Run error = %v, want one containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			var ue *cli.UsageError
			if got := errors.As(err, &ue); got != tc.wantUsage {
				t.Errorf("usage error: %t, want %t", got, tc.wantUsage)
			}
			if left := ls(t, out); len(left) != 0 {
				t.Errorf("failed run left %q", left)
			}
		})
	}
	t.Run("missing flags", func(t *testing.T) {
		err := Run(context.Background(), []string{"--deb", good}, io.Discard, io.Discard)
		var ue *cli.UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "missing required flag --output, --descriptor") {
			t.Errorf("Run error = %v, want a usage error for the missing flags", err)
		}
	})
}

// TestReproducibleProcesses runs deb-layer in new processes under
// different time zones, umasks and core counts and wants the same bytes.
func TestReproducibleProcesses(t *testing.T) {
	pkg := writeDeb(t, debtest.Package{Data: data, DataCompression: deb.Xz}.Build(t))
	run := func(t *testing.T, env ...string) (blob, desc []byte) {
		t.Helper()
		out := t.TempDir()
		cmd := exec.Command(os.Args[0], "--deb", pkg, "--output", filepath.Join(out, "blob"), "--descriptor", filepath.Join(out, "desc.json"))
		cmd.Env = append(append(os.Environ(), "DISTILL_TEST_DEB_LAYER=1", "SOURCE_DATE_EPOCH=1700000000"), env...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		blob, err := os.ReadFile(filepath.Join(out, "blob"))
		if err != nil {
			t.Fatal(err)
		}
		desc, err = os.ReadFile(filepath.Join(out, "desc.json"))
		if err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(filepath.Join(out, "blob")); err != nil || fi.Mode().Perm() != 0o644 {
			t.Errorf("blob mode = %v, %v; want 0644 whatever the umask", fi.Mode(), err)
		}
		return blob, desc
	}
	wantBlob, wantDesc := run(t, "TZ=UTC", "DISTILL_TEST_UMASK=022", "GOMAXPROCS=4")
	for _, env := range [][]string{{"TZ=Pacific/Chatham"}, {"DISTILL_TEST_UMASK=077"}, {"GOMAXPROCS=1"}} {
		t.Run(strings.Join(env, " "), func(t *testing.T) {
			blob, desc := run(t, env...)
			if !bytes.Equal(blob, wantBlob) || !bytes.Equal(desc, wantDesc) {
				t.Errorf("different layer: %s, want %s", desc, wantDesc)
			}
		})
	}
}
