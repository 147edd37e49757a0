package cacerts

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

// TestMain lets tests run the test binary as `distill cacerts`: with
// DISTILL_TEST_CACERTS=1 it runs Run on its arguments, under
// DISTILL_TEST_UMASK if set.
func TestMain(m *testing.M) {
	if os.Getenv("DISTILL_TEST_CACERTS") != "1" {
		os.Exit(m.Run())
	}
	layertest.UmaskFromEnv()
	if err := Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		os.Stderr.WriteString("distill cacerts: " + err.Error() + "\n")
		os.Exit(1)
	}
	os.Exit(0)
}

func testCert(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "pkg", "cacerts", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const control = "Package: ca-certificates\nVersion: 20230311\nArchitecture: all\nMaintainer: Test <test@example.org>\nDescription: Common CA certificates\n"

func writeDeb(t *testing.T, data []debtest.Entry) string {
	t.Helper()
	b := debtest.Package{Control: control, Data: data, DataCompression: deb.Xz}.Build(t)
	p := filepath.Join(t.TempDir(), "ca-certificates_20230311_all.deb")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func caPackage(t *testing.T) []debtest.Entry {
	return []debtest.Entry{
		debtest.Dir("./usr/share/ca-certificates/mozilla/", 0o755),
		debtest.File("./usr/share/ca-certificates/mozilla/Test_Root_RSA.crt", 0o644, testCert(t, "rsa.pem")),
		debtest.File("./usr/share/ca-certificates/mozilla/Test_Root_P-256.crt", 0o644, testCert(t, "p256.pem")),
		debtest.File("./usr/share/doc/ca-certificates/copyright", 0o644, "license\n"),
	}
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
	pkg := writeDeb(t, caPackage(t))
	out := t.TempDir()
	for _, c := range []string{"gzip", "zstd", "none"} {
		t.Run(c, func(t *testing.T) {
			blob, desc := filepath.Join(out, c+".tar"), filepath.Join(out, c+".json")
			var stdout, stderr bytes.Buffer
			args := []string{"--deb", pkg, "--output", blob, "--descriptor", desc, "--compression", c, "--java-cacerts"}
			if err := Run(context.Background(), args, &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			if stdout.Len()+stderr.Len() != 0 {
				t.Errorf("output %q, stderr %q; want none", stdout.String(), stderr.String())
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
	pkg := writeDeb(t, caPackage(t))
	doc := []string{"usr/", "usr/share/", "usr/share/doc/", "usr/share/doc/ca-certificates/", "usr/share/doc/ca-certificates/copyright"}
	tests := []struct {
		name  string
		flags []string
		want  []string
	}{
		{name: "bundle", want: append([]string{"etc/", "etc/ssl/", "etc/ssl/certs/", "etc/ssl/certs/ca-certificates.crt"}, doc...)},
		{name: "java", flags: []string{"--java-cacerts"}, want: append([]string{
			"etc/", "etc/ssl/", "etc/ssl/certs/", "etc/ssl/certs/ca-certificates.crt", "etc/ssl/certs/java/", "etc/ssl/certs/java/cacerts",
		}, doc...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			{
				output := "--output"
				out := t.TempDir()
				blob := filepath.Join(out, "layer.tar.gz")
				args := append([]string{"--deb", pkg, output, blob, "--descriptor", filepath.Join(out, "desc.json")}, tc.flags...)
				if err := Run(context.Background(), args, io.Discard, io.Discard); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, names(t, blob)); diff != "" {
					t.Errorf("%s: layer entries (-want +got):\n%s", output, diff)
				}
			}
		})
	}
}

func TestRunFailureLeavesNothing(t *testing.T) {
	good := writeDeb(t, caPackage(t))
	badCert := writeDeb(t, []debtest.Entry{debtest.File("./usr/share/ca-certificates/m/Bad.crt", 0o644, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")})
	noCerts := writeDeb(t, []debtest.Entry{debtest.File("./usr/sbin/update-ca-certificates", 0o755, "#!/bin/sh\n")})
	sameAlias := writeDeb(t, []debtest.Entry{
		debtest.File("./usr/share/ca-certificates/a/Root.crt", 0o644, testCert(t, "rsa.pem")),
		debtest.File("./usr/share/ca-certificates/b/root.crt", 0o644, testCert(t, "p256.pem")),
	})
	notDeb := filepath.Join(t.TempDir(), "x.deb")
	if err := os.WriteFile(notDeb, []byte("not a package\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.deb")
	tests := []struct {
		name      string
		deb       string
		epoch     string
		extra     []string
		wantErr   string
		wantUsage bool
	}{
		{name: "bad certificate", deb: badCert, wantErr: "ca-certificates: usr/share/ca-certificates/m/Bad.crt: certificate does not parse: x509: "},
		{name: "no certificates", deb: noCerts, wantErr: "ca-certificates: no certificates (regular files *.crt) below usr/share/ca-certificates/"},
		{name: "same alias", deb: sameAlias, extra: []string{"--java-cacerts"}, wantErr: `ca-certificates: certificates a/Root.crt and b/root.crt both get the Java alias "debian:root.pem"`},
		{name: "not a package", deb: notDeb, wantErr: notDeb + ": not a Debian package: no ar archive magic"},
		{name: "missing package", deb: missing, wantErr: "opening package: open " + missing},
		{name: "directory", deb: t.TempDir(), wantErr: "is not a regular file"},
		{name: "bad epoch", deb: good, epoch: "x", wantErr: `SOURCE_DATE_EPOCH="x"`},
		{name: "bad compression", deb: good, extra: []string{"--compression", "xz"}, wantErr: `--compression: unknown compression "xz"`, wantUsage: true},
		{name: "gzip level", deb: good, extra: []string{"--level", "10"}, wantErr: "gzip level 10", wantUsage: true},
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
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--deb", good, "--descriptor", "d.json"}, "missing required flag --output"},
		{[]string{"--output", "blob"}, "missing required flag --deb, --descriptor"},
	} {
		err := Run(context.Background(), tc.args, io.Discard, io.Discard)
		var ue *cli.UsageError
		if !errors.As(err, &ue) || err.Error() != tc.wantErr {
			t.Errorf("Run(%q) error = %v, want the usage error %q", tc.args, err, tc.wantErr)
		}
	}
}

// TestReproducibleProcesses runs cacerts in new processes under different
// time zones, umasks and core counts and wants the same bytes.
func TestReproducibleProcesses(t *testing.T) {
	pkg := writeDeb(t, caPackage(t))
	run := func(t *testing.T, env ...string) (blob, desc []byte) {
		t.Helper()
		out := t.TempDir()
		cmd := exec.Command(os.Args[0], "--deb", pkg, "--output", filepath.Join(out, "blob"), "--descriptor", filepath.Join(out, "desc.json"), "--java-cacerts")
		cmd.Env = append(append(os.Environ(), "DISTILL_TEST_CACERTS=1", "SOURCE_DATE_EPOCH=1700000000"), env...)
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
