package debbuild

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bazelbuild/buildtools/build"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// pkgs is a small two-architecture set: libc6 and libgcc-s1 depend on each
// other (as in Debian), tzdata is architecture-independent.
var pkgs = []Package{
	{Name: "libc6", Version: "2.36-9+deb12u10", Architecture: "amd64", ForArchitecture: "amd64", Filename: "pool/main/g/glibc/libc6_2.36-9+deb12u10_amd64.deb", Depends: []string{"libgcc-s1"}},
	{Name: "libgcc-s1", Version: "12.2.0-14", Architecture: "amd64", ForArchitecture: "amd64", Filename: "pool/main/g/gcc-12/libgcc-s1_12.2.0-14_amd64.deb", Depends: []string{"libc6"}},
	{Name: "tzdata", Version: "2025b-0+deb12u1", Architecture: "all", ForArchitecture: "amd64", Filename: "pool/main/t/tzdata/tzdata_2025b-0+deb12u1_all.deb"},
	{Name: "libssl3", Version: "3.0.16-1~deb12u1", Architecture: "amd64", ForArchitecture: "amd64", Filename: "pool/updates/main/o/openssl/libssl3_3.0.16-1~deb12u1_amd64.deb", Depends: []string{"libc6"}},
	{Name: "libc6", Version: "2.36-9+deb12u10", Architecture: "arm64", ForArchitecture: "arm64", Filename: "pool/main/g/glibc/libc6_2.36-9+deb12u10_arm64.deb", Depends: []string{"libgcc-s1"}},
	{Name: "libgcc-s1", Version: "12.2.0-14", Architecture: "arm64", ForArchitecture: "arm64", Filename: "pool/main/g/gcc-12/libgcc-s1_12.2.0-14_arm64.deb", Depends: []string{"libc6"}},
	{Name: "tzdata", Version: "2025b-0+deb12u1", Architecture: "all", ForArchitecture: "arm64", Filename: "pool/main/t/tzdata/tzdata_2025b-0+deb12u1_all.deb"},
}

func TestGenerateGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		pkgs []Package
	}{
		{"two_arches", pkgs},
		{"merged_usr", []Package{{Name: "base-files", Version: "13.8", Architecture: "amd64", ForArchitecture: "amd64", Filename: "pool/main/b/base-files/base-files_13.8_amd64.deb", MergedUsr: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Generate(tc.pkgs, "@rules_distill//rules:defs.bzl", "//images:packages.lock.json")
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.name+".BUILD.golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("Generate (-want +got):\n%s", diff)
			}
			// Canonical: buildifier's formatter leaves it as it is.
			f, err := build.ParseBuild("BUILD.bazel", got)
			if err != nil {
				t.Fatal(err)
			}
			if again := build.Format(f); string(again) != string(got) {
				t.Errorf("output is not canonically formatted:\n%s", cmp.Diff(string(got), string(again)))
			}
		})
	}
}

func TestGenerateOrderIndependent(t *testing.T) {
	want, err := Generate(pkgs, "@r//rules:defs.bzl", "x")
	if err != nil {
		t.Fatal(err)
	}
	reversed := make([]Package, len(pkgs))
	for i, p := range pkgs {
		reversed[len(pkgs)-1-i] = p
	}
	got, err := Generate(reversed, "@r//rules:defs.bzl", "x")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("Generate depends on input order (-want +got):\n%s", diff)
	}
}

func TestGenerateErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		pkgs []Package
		want string
	}{
		{"missing dependency", []Package{{Name: "a", Architecture: "amd64", ForArchitecture: "amd64", Filename: "pool/a.deb", Depends: []string{"b"}}}, "package a (amd64) depends on b, which is not locked for amd64"},
		{"twice", []Package{{Name: "a", Architecture: "amd64", ForArchitecture: "amd64", Filename: "pool/a.deb"}, {Name: "a", Architecture: "amd64", ForArchitecture: "amd64", Filename: "pool/a2.deb"}}, "package a is locked twice for amd64"},
		{"wrong arch", []Package{{Name: "a", Architecture: "arm64", ForArchitecture: "amd64", Filename: "pool/a.deb"}}, "package a: architecture arm64 locked for amd64"},
		{"no filename", []Package{{Name: "a", Architecture: "amd64", ForArchitecture: "amd64"}}, "filename are required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Generate(tc.pkgs, "@r//rules:defs.bzl", "x")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Generate error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
