package imagediff

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/pkg/inspect"
)

func file(path string, mod ...func(*inspect.File)) inspect.File {
	f := inspect.File{Path: path, Type: inspect.TypeFile, Mode: 0o644, Size: 3, Digest: "sha256:aaa"}
	for _, m := range mod {
		m(&f)
	}
	return f
}

func image(files []inspect.File, pkgs []inspect.Package, cfg inspect.Config, diffIDs ...string) *inspect.Image {
	img := &inspect.Image{Source: inspect.Source{Ref: "ref", Kind: "oci-layout"}, Files: files, Packages: pkgs, Config: cfg, Owner: map[string]string{}}
	for _, d := range diffIDs {
		img.Layers = append(img.Layers, inspect.Layer{DiffID: d, CompressedSize: 10, UncompressedSize: 20})
	}
	for _, p := range pkgs {
		img.Owner["/usr/lib/"+p.Name] = p.Name
	}
	return img
}

func str(s string) *string { return &s }

func TestCompare(t *testing.T) {
	cfg := inspect.Config{OS: "linux", Architecture: "amd64", User: "65532", Env: []string{"PATH=/bin", "A=1"}, Labels: map[string]string{"k": "v"}}
	pkg := func(name, version, digest string, size int64) inspect.Package {
		return inspect.Package{Name: name, Version: version, Architecture: "amd64", FilesDigest: digest, Size: size}
	}
	empty := Packages{Added: []PackageVersion{}, Removed: []PackageVersion{}, Upgraded: []PackageChange{}, Downgraded: []PackageChange{}, Changed: []PackageChange{}}
	noFiles := Files{Added: []File{}, Removed: []File{}, Changed: []FileChange{}}
	tests := []struct {
		name          string
		a, b          *inspect.Image
		wantPackages  Packages
		wantFiles     Files
		wantConfig    []ConfigChange
		wantLayers    Layers
		wantIdentical bool
	}{
		{
			name:          "identical",
			a:             image([]inspect.File{file("/a")}, []inspect.Package{pkg("p", "1", "d", 1)}, cfg, "l0"),
			b:             image([]inspect.File{file("/a", func(f *inspect.File) { f.Layer = 3 })}, []inspect.Package{pkg("p", "1", "d", 1)}, cfg, "l0"),
			wantPackages:  empty,
			wantFiles:     noFiles,
			wantConfig:    []ConfigChange{},
			wantLayers:    Layers{A: 1, B: 1, Shared: 1, CompressedA: 10, CompressedB: 10, UncompressedA: 20, UncompressedB: 20},
			wantIdentical: true,
		},
		{
			name: "packages",
			a: image(nil, []inspect.Package{pkg("gone", "1", "d", 5), pkg("libssl3", "3.0.15-1", "d", 100), pkg("old", "1:1.0", "d", 1),
				pkg("rebuilt", "2", "d1", 7), pkg("same", "1", "d", 1)}, cfg, "l0"),
			b: image(nil, []inspect.Package{pkg("libssl3", "3.0.16-1", "d", 120), pkg("new", "2", "d", 9), pkg("old", "2.0", "d", 1),
				pkg("rebuilt", "2", "d2", 8), pkg("same", "1", "d", 1)}, cfg, "l0"),
			wantPackages: Packages{
				Added:      []PackageVersion{{Name: "new", Version: "2", Architecture: "amd64", Size: 9}},
				Removed:    []PackageVersion{{Name: "gone", Version: "1", Architecture: "amd64", Size: 5}},
				Upgraded:   []PackageChange{{Name: "libssl3", Architecture: "amd64", A: "3.0.15-1", B: "3.0.16-1", SizeA: 100, SizeB: 120}},
				Downgraded: []PackageChange{{Name: "old", Architecture: "amd64", A: "1:1.0", B: "2.0", SizeA: 1, SizeB: 1}},
				Changed:    []PackageChange{{Name: "rebuilt", Architecture: "amd64", A: "2", B: "2", SizeA: 7, SizeB: 8}},
			},
			wantFiles:  noFiles,
			wantConfig: []ConfigChange{},
			wantLayers: Layers{A: 1, B: 1, Shared: 1, CompressedA: 10, CompressedB: 10, UncompressedA: 20, UncompressedB: 20},
		},
		{
			name: "files",
			a: image([]inspect.File{
				file("/content"), file("/gone"), file("/link", func(f *inspect.File) { f.Type, f.Target, f.Size, f.Digest = inspect.TypeSymlink, "a", 0, "" }),
				file("/mode"), file("/owner"), file("/type"),
			}, nil, cfg, "l0"),
			b: image([]inspect.File{
				file("/content", func(f *inspect.File) { f.Digest = "sha256:bbb" }),
				file("/link", func(f *inspect.File) { f.Type, f.Target, f.Size, f.Digest = inspect.TypeSymlink, "b", 0, "" }),
				file("/mode", func(f *inspect.File) { f.Mode = 0o755 }),
				file("/new"),
				file("/owner", func(f *inspect.File) { f.UID, f.GID, f.Mode = 65532, 65532, 0o600 }),
				file("/type", func(f *inspect.File) { f.Type, f.Size, f.Digest = inspect.TypeDir, 0, "" }),
			}, nil, cfg, "l0"),
			wantPackages: empty,
			wantFiles: Files{
				Added:   []File{{File: file("/new")}},
				Removed: []File{{File: file("/gone")}},
				Changed: []FileChange{
					{Path: "/content", Changes: []string{"content"}},
					{Path: "/link", Changes: []string{"target"}},
					{Path: "/mode", Changes: []string{"mode"}},
					{Path: "/owner", Changes: []string{"mode", "owner"}},
					{Path: "/type", Changes: []string{"type"}},
				},
			},
			wantConfig: []ConfigChange{},
			wantLayers: Layers{A: 1, B: 1, Shared: 1, CompressedA: 10, CompressedB: 10, UncompressedA: 20, UncompressedB: 20},
		},
		{
			name: "config and layers",
			a:    image(nil, nil, cfg, "l0", "l1"),
			b: image(nil, nil, inspect.Config{OS: "linux", Architecture: "amd64", Entrypoint: []string{"/app"}, Env: []string{"PATH=/usr/bin", "B=2"},
				Labels: map[string]string{"k": "w"}}, "l0", "l2", "l3"),
			wantPackages: empty,
			wantFiles:    noFiles,
			wantConfig: []ConfigChange{
				{Field: "user", A: str(`"65532"`)},
				{Field: "entrypoint", B: str(`["/app"]`)},
				{Field: "env.A", A: str(`"1"`)},
				{Field: "env.B", B: str(`"2"`)},
				{Field: "env.PATH", A: str(`"/bin"`), B: str(`"/usr/bin"`)},
				{Field: "labels.k", A: str(`"v"`), B: str(`"w"`)},
			},
			wantLayers: Layers{A: 2, B: 3, Shared: 1, Changed: true, CompressedA: 10, CompressedB: 10, UncompressedA: 20, UncompressedB: 20},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Totals are summed by inspect; here they are what the layers say.
			for _, img := range []*inspect.Image{tc.a, tc.b} {
				img.Totals.CompressedSize, img.Totals.UncompressedSize = 10, 20
			}
			d := Compare(tc.a, tc.b)
			if diff := cmp.Diff(tc.wantPackages, d.Packages); diff != "" {
				t.Errorf("packages (-want +got):\n%s", diff)
			}
			// File changes are compared by path and what changed.
			for i := range d.Files.Changed {
				d.Files.Changed[i].A, d.Files.Changed[i].B = File{}, File{}
			}
			if diff := cmp.Diff(tc.wantFiles, d.Files); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantConfig, d.Config); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantLayers, d.Layers); diff != "" {
				t.Errorf("layers (-want +got):\n%s", diff)
			}
			if d.Identical != tc.wantIdentical {
				t.Errorf("Identical = %t, want %t", d.Identical, tc.wantIdentical)
			}
		})
	}
}

func TestWriteText(t *testing.T) {
	a := image([]inspect.File{file("/etc/passwd"), file("/usr/lib/libssl")}, []inspect.Package{{Name: "libssl3", Version: "3.0.15-1", Size: 1000}}, inspect.Config{OS: "linux"}, "l0")
	b := image([]inspect.File{file("/etc/passwd", func(f *inspect.File) { f.Digest = "sha256:new" }), file("/usr/bin/python3", func(f *inspect.File) { f.Size = 6_800_000 }),
		file("/usr/lib/libssl")}, []inspect.Package{{Name: "libssl3", Version: "3.0.16-1", Size: 1200}}, inspect.Config{OS: "linux", User: "65532"}, "l0", "l1")
	b.Owner["/usr/bin/python3"] = "python3.11-minimal"
	var buf bytes.Buffer
	if err := Compare(a, b).WriteText(&buf, 1); err != nil {
		t.Fatal(err)
	}
	want := `--- a: ref (oci-layout) config 
+++ b: ref (oci-layout) config 

packages: 0 added, 0 removed, 1 upgraded, 0 downgraded, 0 changed
CHANGE    PACKAGE  A         B           SIZE
upgraded  libssl3  3.0.15-1  3.0.16-1  +200 B

files: 1 added, 0 removed, 1 changed
CHANGE   PATH         WHAT     PACKAGE
changed  /etc/passwd  content  -
... and 1 more (--max-files 0 lists all)

config: 1 changed
FIELD  A       B
user   (none)  "65532"

layers: 1 -> 2 (1 of b's in a), 0 B -> 0 B compressed, 0 B -> 0 B uncompressed
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("WriteText (-want +got):\n%s", diff)
	}
	buf.Reset()
	if err := Compare(a, a).WriteText(&buf, 0); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(buf.String(), "\nno differences: same packages, files, config and layers\n") {
		t.Errorf("WriteText of an image and itself = %q, want it to say there are no differences", buf.String())
	}
}
