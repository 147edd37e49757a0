package sbom

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdxlib"

	deblayercmd "github.com/rules-distill/rules_distill/tools/internal/cmd/deblayer"
	imagecmd "github.com/rules-distill/rules_distill/tools/internal/cmd/image"
	layercmd "github.com/rules-distill/rules_distill/tools/internal/cmd/layer"
	"github.com/rules-distill/rules_distill/tools/internal/debtest"
	"github.com/rules-distill/rules_distill/tools/pkg/deb"
)

func write(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t *testing.T, f func(context.Context, []string, io.Writer, io.Writer) error, args ...string) {
	t.Helper()
	if err := f(context.Background(), args, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
}

const copyright = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/

Files: *
Copyright: 2020 Someone
License: GPL-2+

Files: lib/*
License: Expat
`

// pipeline builds, with the real subcommands, a deb-layer of a test package
// and a layer of files with an os-release, then an image of both; it returns
// the image descriptor and the two contents files.
func pipeline(t *testing.T, dir string) (string, []string) {
	t.Helper()
	pkg := debtest.Package{
		Control: "Package: hello\nSource: hello-src (1.0-0)\nVersion: 1.0-1+b1\nArchitecture: amd64\nMaintainer: T <t@example.org>\nHomepage: https://example.org/hello\nDescription: d\n",
		Data: []debtest.Entry{
			debtest.Dir("./usr/", 0o755),
			debtest.File("./usr/bin/hello", 0o755, "#!hello\n"),
			debtest.Dir("./usr/share/doc/hello/", 0o755),
			debtest.File("./usr/share/doc/hello/copyright", 0o644, copyright),
		},
		DataCompression: deb.Xz,
	}.Build(t)
	debPath := filepath.Join(dir, "hello_1.0-1+b1_amd64.deb")
	if err := os.WriteFile(debPath, pkg, 0o644); err != nil {
		t.Fatal(err)
	}
	osRelease := write(t, filepath.Join(dir, "os-release"), "ID=debian\nVERSION_ID=\"12\"\n")
	app := write(t, filepath.Join(dir, "app.py"), "print('hi')\n")
	entries := write(t, filepath.Join(dir, "entries.json"), `{"entries": [
		{"path": "usr/lib/os-release", "kind": "file", "src": "`+osRelease+`"},
		{"path": "app/app.py", "kind": "file", "src": "`+app+`"},
		{"path": "etc/os-release", "kind": "symlink", "target": "../usr/lib/os-release"}]}`)

	var descs, contents []string
	for i, args := range [][]string{{"--deb", debPath}, {"--entries", entries}} {
		n := string(rune('0' + i))
		desc, c := filepath.Join(dir, "layer"+n+".json"), filepath.Join(dir, "contents"+n+".json")
		args = append(args, "--output", filepath.Join(dir, "layer"+n+".tar.gz"), "--descriptor", desc, "--contents", c)
		if i == 0 {
			run(t, deblayercmd.Run, args...)
		} else {
			run(t, layercmd.Run, args...)
		}
		descs, contents = append(descs, `"`+desc+`"`), append(contents, c)
	}
	spec := write(t, filepath.Join(dir, "spec.json"), `{"layers": [`+strings.Join(descs, ",")+`], "os": "linux", "architecture": "amd64"}`)
	run(t, imagecmd.Run, "--spec", spec,
		"--config-out", filepath.Join(dir, "config.json"),
		"--manifest-out", filepath.Join(dir, "manifest.json"),
		"--descriptor-out", filepath.Join(dir, "image.json"),
		"--digest-out", filepath.Join(dir, "digest"))
	return filepath.Join(dir, "image.json"), contents
}

func TestRun(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	dir := t.TempDir()
	image, contents := pipeline(t, dir)
	out := filepath.Join(dir, "image.spdx.json")
	args := []string{"--image", image, "--name", "//app:image", "--architecture", "amd64", "--output", out}
	for _, c := range contents {
		args = append(args, "--contents", c)
	}
	run(t, Run, args...)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := spdxjson.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("tools-golang cannot read the SBOM: %v", err)
	}
	if err := spdxlib.ValidateDocument(doc); err != nil {
		t.Fatalf("invalid SBOM: %v", err)
	}
	digest, err := os.ReadFile(filepath.Join(dir, "digest"))
	if err != nil {
		t.Fatal(err)
	}
	debSum := func() string {
		b, err := os.ReadFile(filepath.Join(dir, "hello_1.0-1+b1_amd64.deb"))
		if err != nil {
			t.Fatal(err)
		}
		return sha256hex(b)
	}()
	var got []string
	for _, p := range doc.Packages {
		got = append(got, strings.Join([]string{p.PackageName, p.PackageVersion, p.PackageFileName, p.PackageChecksums[0].Value,
			p.PackageLicenseDeclared, p.PackageHomePage, p.PackageSourceInfo, p.PackageExternalReferences[0].Locator}, " | "))
	}
	for _, f := range doc.Files {
		got = append(got, f.FileName+" | "+f.Checksums[0].Value)
	}
	got = append(got, "created "+doc.CreationInfo.Created)
	d := strings.TrimSpace(string(digest))
	want := []string{
		"//app:image | " + d + " |  | " + strings.TrimPrefix(d, "sha256:") + " | NOASSERTION |  |  | pkg:oci/image@" + d + "?arch=amd64",
		"hello | 1.0-1+b1 | hello_1.0-1+b1_amd64.deb | " + debSum + " | GPL-2.0-or-later AND MIT | https://example.org/hello | built from the Debian source package hello-src 1.0-0 | pkg:deb/debian/hello@1.0-1%2Bb1?arch=amd64&distro=debian-12&upstream=hello-src",
		"./app/app.py | " + sha256hex([]byte("print('hi')\n")),
		"./usr/lib/os-release | " + sha256hex([]byte("ID=debian\nVERSION_ID=\"12\"\n")),
		"created 2023-11-14T22:13:20Z",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SBOM mismatch (-want +got):\n%s", diff)
	}

	// Again: the same bytes.
	again := filepath.Join(dir, "again.spdx.json")
	run(t, Run, append(args[:len(args):len(args)], "--output", again)...)
	data2, err := os.ReadFile(again)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, data2) {
		t.Error("a second run wrote different bytes")
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	image, contents := pipeline(t, dir)
	tests := []struct {
		name     string
		contents []string
		want     string
	}{
		{"too few", contents[:1], "has 2 layers but 1 --contents were given"},
		{"wrong order", []string{contents[1], contents[0]}, "give the contents in the order of the image's layers"},
		{"missing file", []string{contents[0], filepath.Join(dir, "nope.json")}, "reading layer contents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.spdx.json")
			args := []string{"--image", image, "--name", "//app:image", "--output", out}
			for _, c := range tt.contents {
				args = append(args, "--contents", c)
			}
			err := Run(context.Background(), args, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run() error = %v, want one containing %q", err, tt.want)
			}
			if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
				t.Errorf("a failed run left %d files behind", len(entries))
			}
		})
	}
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
