package inspect

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/rules-distill/rules_distill/tools/internal/testimage"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
	"github.com/rules-distill/rules_distill/tools/pkg/layout"
)

// entry is one tar entry of a test layer.
type entry struct {
	name string
	typ  byte
	body string
	link string
	mode int64
	uid  int
}

func reg(name, body string) entry { return entry{name: name, typ: tar.TypeReg, body: body} }
func dir(name string) entry       { return entry{name: name, typ: tar.TypeDir, mode: 0o755} }
func wh(name string) entry        { return entry{name: name, typ: tar.TypeReg} }
func sym(name, target string) entry {
	return entry{name: name, typ: tar.TypeSymlink, link: target, mode: 0o777}
}

func tarOf(t *testing.T, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		hdr := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.link, Mode: mode, Uid: e.uid, Size: int64(len(e.body))}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// imageOf builds a linux/amd64 image of gzip layers holding entries.
func imageOf(t *testing.T, layers ...[]entry) v1.Image {
	t.Helper()
	img := empty.Image
	for _, es := range layers {
		data := tarOf(t, es)
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
		if err != nil {
			t.Fatal(err)
		}
		if img, err = mutate.AppendLayers(img, l); err != nil {
			t.Fatal(err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Config.Entrypoint = []string{"/app"}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func sha(s string) string { return fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(s))) }

// short is a File as the tests compare it.
type short struct {
	Path, Type, Target, Digest string
	Size                       int64
	Layer                      int
}

func shorten(fs []File) []short {
	var out []short
	for _, f := range fs {
		out = append(out, short{Path: f.Path, Type: string(f.Type), Target: f.Target, Digest: f.Digest, Size: f.Size, Layer: f.Layer})
	}
	return out
}

func TestAnalyzeFilesystem(t *testing.T) {
	tests := []struct {
		name         string
		layers       [][]entry
		want         []short
		wantShadowed []int64
		wantErr      string
	}{
		{
			name: "upper layer wins",
			layers: [][]entry{
				{dir("etc/"), reg("etc/a", "lower"), reg("etc/b", "b")},
				{reg("./etc/a", "upper!")},
			},
			want: []short{
				{Path: "/etc", Type: "dir"},
				{Path: "/etc/a", Type: "file", Digest: sha("upper!"), Size: 6, Layer: 1},
				{Path: "/etc/b", Type: "file", Digest: sha("b"), Size: 1},
			},
			wantShadowed: []int64{5, 0},
		},
		{
			name: "whiteout of a file and of a directory",
			layers: [][]entry{
				{dir("a"), reg("a/b", "bb"), reg("a/c", "c"), dir("d"), dir("d/x"), reg("d/x/y", "yyy")},
				{wh("a/.wh.b"), wh(".wh.d")},
			},
			want: []short{
				{Path: "/a", Type: "dir"},
				{Path: "/a/c", Type: "file", Digest: sha("c"), Size: 1},
			},
			wantShadowed: []int64{5, 0},
		},
		{
			name: "whiteout hides only what is below it",
			layers: [][]entry{
				{reg("f", "old")},
				{wh(".wh.f"), reg("f", "new")},
			},
			want:         []short{{Path: "/f", Type: "file", Digest: sha("new"), Size: 3, Layer: 1}},
			wantShadowed: []int64{3, 0},
		},
		{
			name: "opaque directory",
			layers: [][]entry{
				{dir("d"), reg("d/x", "x"), reg("d/y", "y")},
				{dir("d"), wh("d/.wh..wh..opq"), reg("d/z", "z")},
				{reg("d/w", "w")},
			},
			want: []short{
				{Path: "/d", Type: "dir", Layer: 1},
				{Path: "/d/w", Type: "file", Digest: sha("w"), Size: 1, Layer: 2},
				{Path: "/d/z", Type: "file", Digest: sha("z"), Size: 1, Layer: 1},
			},
			wantShadowed: []int64{2, 0, 0},
		},
		{
			name: "directory replaced by a symlink",
			layers: [][]entry{
				{dir("lib"), reg("lib/libc.so", "elf")},
				{sym("lib", "usr/lib")},
			},
			want:         []short{{Path: "/lib", Type: "symlink", Target: "usr/lib", Layer: 1}},
			wantShadowed: []int64{3, 0},
		},
		{
			name: "hard link takes its target's content",
			layers: [][]entry{
				{reg("bin/a", "hello"), {name: "bin/b", typ: tar.TypeLink, link: "./bin/a"}},
			},
			want: []short{
				{Path: "/bin/a", Type: "file", Digest: sha("hello"), Size: 5},
				{Path: "/bin/b", Type: "file", Target: "/bin/a", Digest: sha("hello"), Size: 5},
			},
			wantShadowed: []int64{0},
		},
		{
			name:    "entry leaves the root",
			layers:  [][]entry{{reg("../etc/passwd", "x")}},
			wantErr: `layer 0: blob sha256:`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := imageOf(t, tc.layers...)
			got, err := Analyze(context.Background(), img, Source{Ref: "test", Kind: "test"}, Options{})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "leaves the image root") {
					t.Fatalf("Analyze error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, shorten(got.Files)); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			var shadowed []int64
			for _, l := range got.Layers {
				shadowed = append(shadowed, l.ShadowedBytes)
			}
			if diff := cmp.Diff(tc.wantShadowed, shadowed); diff != "" {
				t.Errorf("shadowed bytes per layer (-want +got):\n%s", diff)
			}
			// Sizes are measured and equal the manifest's.
			m, err := img.Manifest()
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range got.Layers {
				if l.CompressedSize != m.Layers[i].Size || l.Digest != m.Layers[i].Digest.String() || l.Compression != "gzip" {
					t.Errorf("layer %d: %d bytes %s %s, manifest %d bytes %s gzip", i, l.CompressedSize, l.Digest, l.Compression, m.Layers[i].Size, m.Layers[i].Digest)
				}
				if want := int64(len(tarOf(t, tc.layers[i]))); l.UncompressedSize != want {
					t.Errorf("layer %d: uncompressed %d bytes, want %d", i, l.UncompressedSize, want)
				}
			}
		})
	}
}

const helloControl = `Package: hello
Version: 2.10-3
Architecture: amd64
Installed-Size: 280
Source: hello (2.10-3)
Description: example package
`

const dpkgStatus = `Package: libfoo1
Status: install ok installed
Version: 1.0-1
Architecture: amd64
Installed-Size: 12

Package: gone
Status: deinstall ok config-files
Version: 0.1
Architecture: all
`

func TestAnalyzePackages(t *testing.T) {
	md5 := strings.Repeat("0", 32)
	helloMD5 := md5 + "  usr/bin/hello\n" + md5 + "  usr/share/doc/hello/copyright\n" + md5 + "  usr/share/hello/data\n"
	fooMD5 := md5 + " *usr/lib/libfoo.so.1\n"
	img := imageOf(t,
		[]entry{
			reg("usr/bin/hello", "#!hello binary"),
			reg("usr/share/hello/data", "12345"),
			reg("var/lib/dpkg/status.d/hello", helloControl),
			reg("var/lib/dpkg/status.d/hello.md5sums", helloMD5),
		},
		[]entry{
			reg("app/server", "server!"),
			reg("usr/lib/libfoo.so.1", "foo"),
			reg("var/lib/dpkg/status", dpkgStatus),
			reg("var/lib/dpkg/info/libfoo1:amd64.md5sums", fooMD5),
		},
		[]entry{wh("usr/share/hello/.wh.data")},
	)
	got, err := Analyze(context.Background(), img, Source{}, Options{Top: 2})
	if err != nil {
		t.Fatal(err)
	}
	wantPkgs := []Package{
		{Name: "hello", Version: "2.10-3", Architecture: "amd64", Source: "hello (2.10-3)", InstalledSizeKiB: 280, Listed: 3, Files: 1, Size: 14, Layer: 0},
		{Name: "libfoo1", Version: "1.0-1", Architecture: "amd64", InstalledSizeKiB: 12, Listed: 1, Files: 1, Size: 3, Layer: 1},
	}
	if len(got.Packages) == 2 && got.Packages[0].FilesDigest == got.Packages[1].FilesDigest {
		t.Errorf("two packages with different files have the same FilesDigest %s", got.Packages[0].FilesDigest)
	}
	for i := range got.Packages {
		got.Packages[i].FilesDigest = ""
	}
	if diff := cmp.Diff(wantPkgs, got.Packages); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	var names [][]string
	for _, l := range got.Layers {
		names = append(names, l.Packages)
	}
	if diff := cmp.Diff([][]string{{"hello"}, {"libfoo1"}, nil}, names); diff != "" {
		t.Errorf("packages per layer (-want +got):\n%s", diff)
	}
	wantLargest := []LargeFile{{Path: "/var/lib/dpkg/status", Size: int64(len(dpkgStatus))}, {Path: "/var/lib/dpkg/status.d/hello.md5sums", Size: int64(len(helloMD5))}}
	if diff := cmp.Diff(wantLargest, got.LargestFiles); diff != "" {
		t.Errorf("largest files (-want +got):\n%s", diff)
	}
	// Unpackaged: /app/server and the database files.
	wantUnpackaged := Unpackaged{Files: 5, Size: int64(len("server!") + len(helloControl) + len(helloMD5) + len(dpkgStatus) + len(fooMD5))}
	if diff := cmp.Diff(wantUnpackaged, got.Unpackaged); diff != "" {
		t.Errorf("unpackaged (-want +got):\n%s", diff)
	}
}

func TestParseMD5Sums(t *testing.T) {
	md5 := "d41d8cd98f00b204e9800998ecf8427e"
	tests := []struct {
		name, in string
		want     []string
		wantErr  string
	}{
		{name: "two spaces", in: md5 + "  usr/bin/x\n", want: []string{"usr/bin/x"}},
		{name: "binary marker, leading slash, spaces in name", in: md5 + " */usr/share/a b\n\n", want: []string{"usr/share/a b"}},
		{name: "no newline at end", in: md5 + "  a\n" + md5 + "  ./b", want: []string{"a", "b"}},
		{name: "short sum", in: "abc  usr/bin/x\n", wantErr: "line 1"},
		{name: "no path", in: md5 + "  \n", wantErr: "bad path"},
		{name: "escapes", in: md5 + "  ../../etc/shadow\n", wantErr: "bad path"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMD5Sums([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseMD5Sums error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseMD5Sums (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseControl(t *testing.T) {
	tests := []struct {
		name, in string
		want     []Control
		wantErr  string
	}{
		{name: "status.d", in: helloControl, want: []Control{{Name: "hello", Version: "2.10-3", Architecture: "amd64", Source: "hello (2.10-3)", InstalledSizeKiB: 280, Installed: true}}},
		{name: "dpkg status", in: dpkgStatus, want: []Control{
			{Name: "libfoo1", Version: "1.0-1", Architecture: "amd64", InstalledSizeKiB: 12, Installed: true},
			{Name: "gone", Version: "0.1", Architecture: "all"},
		}},
		{name: "no package", in: "Version: 1\n", wantErr: "no Package field"},
		{name: "bad size", in: "Package: x\nInstalled-Size: lots\n", wantErr: "not a number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseControl([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseControl error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseControl (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAnalyzeDistillImage reads images the distill pipeline built, in
// each compression, and the text form of one.
func TestAnalyzeDistillImage(t *testing.T) {
	for _, c := range []layer.Compression{layer.Gzip, layer.Zstd, layer.None} {
		t.Run(string(c), func(t *testing.T) {
			ti := testimage.New(t, c)
			img, desc, err := layout.ReadImage(ti.Layout)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Analyze(context.Background(), img, Source{Ref: "app", Kind: "oci-layout", Digest: desc.Digest.String()}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := []short{
				{Path: "/app", Type: "dir", Layer: 1},
				{Path: "/app/server", Type: "file", Digest: sha("#!/bin/server\n"), Size: 14, Layer: 1},
				{Path: "/etc", Type: "dir"},
				{Path: "/etc/app", Type: "dir"},
				{Path: "/etc/app/config.yaml", Type: "file", Digest: sha("port: 8080\n"), Size: 11},
				{Path: "/usr", Type: "dir", Layer: 1},
				{Path: "/usr/bin", Type: "dir", Layer: 1},
				{Path: "/usr/bin/server", Type: "symlink", Target: "/app/server", Layer: 1},
			}
			if diff := cmp.Diff(want, shorten(got.Files)); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			wantCompression := map[layer.Compression]string{layer.Gzip: "gzip", layer.Zstd: "zstd", layer.None: "none"}[c]
			for i, l := range got.Layers {
				d := ti.Built.Descriptor.Layers[i]
				if l.CompressedSize != d.Size || l.Digest != d.Digest.String() || l.DiffID != d.DiffID.String() || l.Compression != wantCompression {
					t.Errorf("layer %d = %d bytes %s diff_id %s %s, want %d %s %s %s", i, l.CompressedSize, l.Digest, l.DiffID, l.Compression, d.Size, d.Digest, d.DiffID, wantCompression)
				}
			}
			if c != layer.Gzip {
				return
			}
			var buf bytes.Buffer
			if err := got.WriteText(&buf); err != nil {
				t.Fatal(err)
			}
			l0, l1 := got.Layers[0], got.Layers[1]
			wantText := fmt.Sprintf(`image:      app (oci-layout)
digest:     %s
config:     %s
platform:   linux/amd64
created:    2023-11-14T22:13:20Z
user:       65532
entrypoint: ["/app/server"]
env:        PATH=/usr/bin
size:       %s compressed, %s uncompressed, 2 layers
filesystem: 2 files (25 B), 5 dirs, 1 symlinks, 0 other

LAYER  DIGEST               COMPRESSED  UNCOMPRESSED  FILES  SHADOWED  PACKAGES
    0  %s  %10s  %12s      1       0 B
    1  %s  %10s  %12s      1       0 B

PACKAGES (0)  VERSION  ARCH  SIZE  FILES  INSTALLED-SIZE  LAYER
(no package)                 25 B      2

SIZE  LARGEST FILES         PACKAGE
14 B  /app/server
11 B  /etc/app/config.yaml
`, desc.Digest, got.ConfigDigest, HumanSize(got.Totals.CompressedSize), HumanSize(got.Totals.UncompressedSize),
				ShortDigest(l0.Digest), HumanSize(l0.CompressedSize), HumanSize(l0.UncompressedSize),
				ShortDigest(l1.Digest), HumanSize(l1.CompressedSize), HumanSize(l1.UncompressedSize))
			if diff := cmp.Diff(wantText, buf.String()); diff != "" {
				t.Errorf("WriteText (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAnalyzeCorruptBlob(t *testing.T) {
	ti := testimage.New(t, layer.Gzip)
	img, _, err := layout.ReadImage(ti.Layout)
	if err != nil {
		t.Fatal(err)
	}
	// Same size, one byte changed near the end (the gzip trailer's CRC).
	blob := filepath.Join(ti.Layout, "blobs", "sha256", ti.Built.Descriptor.Layers[1].Digest.Hex)
	data, err := os.ReadFile(blob)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-1] ^= 0xff
	if err := os.Remove(blob); err != nil { // a hard link to the test's blob
		t.Fatal(err)
	}
	if err := os.WriteFile(blob, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Analyze(context.Background(), img, Source{}, Options{})
	if err == nil || !strings.Contains(err.Error(), "layer 1: blob") {
		t.Errorf("Analyze of a changed blob: error = %v, want one naming layer 1", err)
	}
}

func TestHumanSize(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{{0, "0 B"}, {999, "999 B"}, {1000, "1.0 kB"}, {63556, "63.6 kB"}, {20_300_000, "20.3 MB"}, {3_500_000_000, "3.5 GB"}}
	for _, tc := range tests {
		if got := HumanSize(tc.in); got != tc.want {
			t.Errorf("HumanSize(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
