package deblayer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/internal/debtest"
	"github.com/rules-distill/rules_distill/tools/pkg/sbom"
)

// TestContents: --contents lists the package, with the license of its
// copyright file (read even when --include drops the file) and no files.
func TestContents(t *testing.T) {
	dep5 := "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: BSD-3-clause\n"
	withCopyright := func(text string) string {
		return writeDeb(t, debtest.Package{Data: []debtest.Entry{
			debtest.File("./usr/bin/hello", 0o755, "#!hello\n"),
			debtest.File("./usr/lib/os-release", 0o644, "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n"),
			debtest.File("./usr/share/doc/hello/copyright", 0o644, text),
		}}.Build(t))
	}
	tests := []struct {
		name      string
		deb       string
		flags     []string
		license   string
		osRelease *sbom.OSRelease
	}{
		{"machine-readable", withCopyright(dep5), nil, "BSD-3-Clause", &sbom.OSRelease{ID: "debian", VersionID: "12", VersionCodename: "bookworm"}},
		{"copyright filtered out", withCopyright(dep5), []string{"--include", "usr/bin/**"}, "BSD-3-Clause", &sbom.OSRelease{ID: "debian", VersionID: "12", VersionCodename: "bookworm"}},
		{"free-form", withCopyright("Copyright 2020 Someone, GPL.\n"), nil, sbom.NoAssertion, &sbom.OSRelease{ID: "debian", VersionID: "12", VersionCodename: "bookworm"}},
		{"no copyright", writeDeb(t, debtest.Package{Data: data[:4]}.Build(t)), nil, sbom.NoAssertion, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			contents := filepath.Join(out, "contents.json")
			args := append([]string{"--deb", tt.deb, "--output", filepath.Join(out, "l.tar.gz"), "--descriptor", filepath.Join(out, "d.json"), "--contents", contents}, tt.flags...)
			if err := Run(context.Background(), args, io.Discard, io.Discard); err != nil {
				t.Fatal(err)
			}
			got, err := sbom.ReadContents(contents)
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(tt.deb)
			if err != nil {
				t.Fatal(err)
			}
			want := sbom.Contents{
				Layer: got.Layer,
				Packages: []sbom.Package{{
					Name: "hello", Version: "1.0-1", Architecture: "amd64", Source: "hello", SourceVersion: "1.0-1",
					License: tt.license, FileName: filepath.Base(tt.deb), SHA256: sha256hex(b), Size: int64(len(b)),
				}},
				OSRelease: tt.osRelease,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("contents mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
