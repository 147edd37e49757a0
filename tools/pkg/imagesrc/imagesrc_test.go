package imagesrc

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	ggcrlayout "github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/rules-distill/rules_distill/tools/internal/testimage"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
	"github.com/rules-distill/rules_distill/tools/pkg/layout"
	"github.com/rules-distill/rules_distill/tools/pkg/tarball"
)

// tarDir writes the files under dir into a tar at out, names prefixed
// with prefix ("./" as `tar -C dir .` writes them).
func tarDir(t *testing.T, dir, out, prefix string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	err = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		hdr, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		hdr.Name = prefix + filepath.ToSlash(rel)
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, err = tw.Write(b)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// arm64 returns img with its config saying linux/arm64.
func arm64(t *testing.T, img v1.Image) v1.Image {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Architecture = "arm64"
	out, err := mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func digestOf(t *testing.T, img v1.Image) v1.Hash {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func newRegistry(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestOpen(t *testing.T) {
	ti := testimage.New(t, layer.Gzip)
	want := ti.Built.Descriptor.Manifest.Digest
	amd, _, err := layout.ReadImage(ti.Layout)
	if err != nil {
		t.Fatal(err)
	}
	arm := arm64(t, amd)
	dir := t.TempDir()

	// A docker-archive written by distill tarball.
	docker := filepath.Join(dir, "image.tar")
	if err := tarball.Write(docker, ti.Layout, []string{"distill.test/app:v1"}); err != nil {
		t.Fatal(err)
	}
	// An OCI archive: the layout in a tar, "./"-prefixed as tar -C DIR . writes it.
	ociArchive := filepath.Join(dir, "oci.tar")
	tarDir(t, ti.Layout, ociArchive, "./")
	// A layout whose index lists two platforms, and one nesting an index.
	multi := filepath.Join(dir, "multi")
	p, err := ggcrlayout.Write(multi, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range []struct {
		img  v1.Image
		arch string
	}{{amd, "amd64"}, {arm, "arm64"}} {
		if err := p.AppendImage(img.img, ggcrlayout.WithPlatform(v1.Platform{OS: "linux", Architecture: img.arch})); err != nil {
			t.Fatal(err)
		}
	}
	nested := filepath.Join(dir, "nested")
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}})
	if _, err := ggcrlayout.Write(nested, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: idx})); err != nil {
		t.Fatal(err)
	}
	// The same index and image in a registry.
	reg := newRegistry(t)
	tag := func(s string) name.Reference {
		r, err := name.ParseReference(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if err := remote.Write(tag(reg+"/app:v1"), amd); err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(tag(reg+"/app:multi"), idx); err != nil {
		t.Fatal(err)
	}

	linuxArm64 := &v1.Platform{OS: "linux", Architecture: "arm64"}
	tests := []struct {
		name       string
		ref        string
		platform   *v1.Platform
		wantKind   Kind
		wantDigest v1.Hash // zero for a docker-archive
		wantErr    string
	}{
		{name: "layout", ref: ti.Layout, wantKind: OCILayout, wantDigest: want},
		{name: "layout prefix", ref: "oci:" + ti.Layout, wantKind: OCILayout, wantDigest: want},
		{name: "layout of another platform", ref: ti.Layout, platform: linuxArm64, wantErr: "not linux/arm64"},
		{name: "docker-archive", ref: docker, wantKind: DockerArchive},
		{name: "docker-archive prefix", ref: "docker-archive:" + docker, wantKind: DockerArchive},
		{name: "oci archive", ref: ociArchive, wantKind: OCIArchive, wantDigest: want},
		{name: "oci archive prefix", ref: "oci-archive:" + ociArchive, wantKind: OCIArchive, wantDigest: want},
		{name: "index without platform", ref: multi, wantErr: "lists 2 images (linux/amd64, linux/arm64): choose one with --platform"},
		{name: "index arm64", ref: multi, platform: linuxArm64, wantKind: OCILayout, wantDigest: digestOf(t, arm)},
		{name: "index amd64", ref: multi, platform: &v1.Platform{OS: "linux", Architecture: "amd64"}, wantKind: OCILayout, wantDigest: want},
		{name: "index no such platform", ref: multi, platform: &v1.Platform{OS: "linux", Architecture: "s390x"}, wantErr: "no image for platform linux/s390x; it has linux/amd64, linux/arm64"},
		{name: "nested index", ref: nested, platform: linuxArm64, wantKind: OCILayout, wantDigest: digestOf(t, arm)},
		{name: "registry", ref: reg + "/app:v1", wantKind: Registry, wantDigest: want},
		{name: "registry by digest", ref: "registry:" + reg + "/app@" + want.String(), wantKind: Registry, wantDigest: want},
		{name: "registry index", ref: reg + "/app:multi", platform: linuxArm64, wantKind: Registry, wantDigest: digestOf(t, arm)},
		{name: "registry index without platform", ref: reg + "/app:multi", wantErr: "choose one with --platform"},
		{name: "registry unknown tag", ref: reg + "/app:nope", wantErr: "MANIFEST_UNKNOWN"},
		{name: "registry unknown tag, no such file", ref: reg + "/app:nope", wantErr: "(no file or directory " + reg + "/app:nope exists here either)"},
		{name: "registry prefix, unknown tag", ref: "registry:" + reg + "/app:nope", wantErr: "MANIFEST_UNKNOWN: Unknown manifest"},
		{name: "missing file", ref: filepath.Join(dir, "nope.tar"), wantErr: "no such file"},
		{name: "dir without index", ref: dir, wantErr: "index.json"},
		{name: "compressed tar", ref: ti.Blobs[0], wantErr: "gzip-compressed: decompress it first"},
		{name: "not an image tar", ref: filepath.Join(ti.Layout, "oci-layout"), wantErr: "reading tar"},
		{name: "file as layout", ref: "oci:" + docker, wantErr: "not a directory"},
		{name: "dir as archive", ref: "docker-archive:" + ti.Layout, wantErr: "it is a directory"},
		{name: "empty", ref: "", wantErr: "empty reference"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, err := Open(context.Background(), tc.ref, Options{Platform: tc.platform})
			if tc.wantErr != "" {
				if err == nil {
					src.Close()
					t.Fatalf("Open(%q) succeeded, want an error with %q", tc.ref, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Open(%q) error = %v, want %q", tc.ref, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			if src.Kind != tc.wantKind || src.Digest != tc.wantDigest {
				t.Errorf("Open(%q) = kind %s digest %s, want %s %s", tc.ref, src.Kind, src.Digest, tc.wantKind, tc.wantDigest)
			}
			if err := validate.Image(src.Image); err != nil {
				t.Errorf("validate.Image: %v", err)
			}
			// Every form carries the same layers.
			m, err := src.Image.Manifest()
			if err != nil {
				t.Fatal(err)
			}
			var got []v1.Hash
			for _, l := range m.Layers {
				got = append(got, l.Digest)
			}
			var wantLayers []v1.Hash
			for _, l := range ti.Built.Descriptor.Layers {
				wantLayers = append(wantLayers, l.Digest)
			}
			if diff := cmp.Diff(wantLayers, got); diff != "" {
				t.Errorf("layer digests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOpenCorruptLayout(t *testing.T) {
	ti := testimage.New(t, layer.Gzip)
	amd, _, err := layout.ReadImage(ti.Layout)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "multi")
	p, err := ggcrlayout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		if err := p.AppendImage(amd, ggcrlayout.WithPlatform(v1.Platform{OS: "linux", Architecture: arch})); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := amd.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "blobs", "sha256", cfg.Hex), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), dir, Options{Platform: &v1.Platform{Architecture: "arm64"}})
	if err == nil || !strings.Contains(err.Error(), "the image is corrupt") {
		t.Errorf("Open of a layout with a changed config: error = %v, want one saying the image is corrupt", err)
	}
}

type tarEntry struct {
	name, link string
	typ        byte
	body       string
	pax        map[string]string
}

func makeTar(t *testing.T, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: 0o644, Size: int64(len(e.body))}
		if e.typ != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body[:hdr.Size])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestIndexTar(t *testing.T) {
	tests := []struct {
		name    string
		entries []tarEntry
		want    map[string]string // member → contents; others absent
		absent  []string
		wantErr string
	}{
		{
			name: "names cleaned",
			entries: []tarEntry{
				{name: "./index.json", typ: tar.TypeReg, body: "{}"},
				{name: "blobs/", typ: tar.TypeDir},
				{name: "/blobs/sha256/aa", typ: tar.TypeReg, body: "blob"},
			},
			want:   map[string]string{"index.json": "{}", "blobs/sha256/aa": "blob", "./blobs//sha256/aa": "blob"},
			absent: []string{"blobs"},
		},
		{
			name: "last wins, hard link, symlink ignored",
			entries: []tarEntry{
				{name: "a", typ: tar.TypeReg, body: "first"},
				{name: "a", typ: tar.TypeReg, body: "second"},
				{name: "b", typ: tar.TypeLink, link: "./a"},
				{name: "c", typ: tar.TypeSymlink, link: "a"},
			},
			want:   map[string]string{"a": "second", "b": "second"},
			absent: []string{"c"},
		},
		{
			name:    "hard link to nothing",
			entries: []tarEntry{{name: "b", typ: tar.TypeLink, link: "a"}},
			wantErr: "hard link to a",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := makeTar(t, tc.entries)
			ms, err := IndexTar(bytes.NewReader(data))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("IndexTar error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for n := range tc.want {
				b, err := ms.ReadSmall(bytes.NewReader(data), n)
				if err != nil {
					t.Fatal(err)
				}
				got[n] = string(b)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
			for _, n := range tc.absent {
				if ms.Has(n) {
					t.Errorf("Has(%q) = true, want false", n)
				}
			}
		})
	}
	if _, err := IndexTar(bytes.NewReader([]byte("not a tar at all, but long enough to be read as a header block"))); err == nil {
		t.Error("IndexTar of garbage succeeded")
	}
}
