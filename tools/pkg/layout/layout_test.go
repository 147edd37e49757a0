package layout_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	ggcrlayout "github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/rules-distill/rules_distill/tools/internal/testimage"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
	"github.com/rules-distill/rules_distill/tools/pkg/layout"
)

func input(img *testimage.Image) layout.Input {
	return layout.Input{
		Image:    img.Built.Descriptor,
		Config:   img.Built.Config,
		Manifest: img.Built.Manifest,
		Blobs:    img.Blobs,
		RefName:  testimage.RefName,
	}
}

// files lists the regular files under dir with their modes.
func files(t *testing.T, dir string) map[string]os.FileMode {
	t.Helper()
	got := map[string]os.FileMode{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		got[rel] = fi.Mode()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestWriteReadBack(t *testing.T) {
	for _, c := range []layer.Compression{layer.Gzip, layer.Zstd, layer.None} {
		t.Run(string(c), func(t *testing.T) {
			img := testimage.New(t, c)
			idx, err := ggcrlayout.ImageIndexFromPath(img.Layout)
			if err != nil {
				t.Fatal(err)
			}
			im, err := idx.IndexManifest()
			if err != nil {
				t.Fatal(err)
			}
			want := []v1.Descriptor{{
				MediaType:   img.Built.Descriptor.Manifest.MediaType,
				Size:        img.Built.Descriptor.Manifest.Size,
				Digest:      img.Built.Descriptor.Manifest.Digest,
				Annotations: map[string]string{layout.RefNameAnnotation: testimage.RefName},
			}}
			if diff := cmp.Diff(want, im.Manifests); diff != "" {
				t.Errorf("index.json manifests (-want +got):\n%s", diff)
			}
			got, desc, err := layout.ReadImage(img.Layout)
			if err != nil {
				t.Fatal(err)
			}
			if desc.Digest != img.Built.Descriptor.Manifest.Digest {
				t.Errorf("ReadImage digest = %s, want %s", desc.Digest, img.Built.Descriptor.Manifest.Digest)
			}
			// validate.Image reads layers with gzip only.
			var opts []validate.Option
			if c != layer.Gzip {
				opts = append(opts, validate.Fast)
			}
			if err := validate.Image(got, opts...); err != nil {
				t.Errorf("validate.Image: %v", err)
			}
			oci, err := os.ReadFile(filepath.Join(img.Layout, "oci-layout"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(`{"imageLayoutVersion":"1.0.0"}`+"\n", string(oci)); diff != "" {
				t.Errorf("oci-layout (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLayerBlobsAreHardLinked(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	for i, l := range img.Built.Descriptor.Layers {
		src, err := os.Stat(img.Blobs[i])
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Stat(filepath.Join(img.Layout, "blobs", "sha256", l.Digest.Hex))
		if err != nil {
			t.Fatal(err)
		}
		if !os.SameFile(src, dst) {
			t.Errorf("layer %d blob is not a hard link to %s", i, img.Blobs[i])
		}
	}
}

func TestSymlinkedBlobsAndUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	img := testimage.New(t, layer.Gzip)
	in := input(img)
	// Bazel sandboxes pass inputs as symlinks.
	links := t.TempDir()
	for i, b := range in.Blobs {
		l := filepath.Join(links, filepath.Base(b))
		if err := os.Symlink(b, l); err != nil {
			t.Fatal(err)
		}
		in.Blobs[i] = l
	}
	out := filepath.Join(t.TempDir(), "layout")
	if err := os.Mkdir(out, 0o700); err != nil { // as Bazel creates it
		t.Fatal(err)
	}
	if err := layout.Write(out, in); err != nil {
		t.Fatal(err)
	}
	got := files(t, out)
	want := map[string]os.FileMode{
		".":            os.ModeDir | 0o755,
		"blobs":        os.ModeDir | 0o755,
		"blobs/sha256": os.ModeDir | 0o755,
		"index.json":   0o644,
		"oci-layout":   0o644,
	}
	for _, d := range []v1.Descriptor{img.Built.Descriptor.Config, img.Built.Descriptor.Manifest} {
		want["blobs/sha256/"+d.Digest.Hex] = 0o644
	}
	for _, l := range img.Built.Descriptor.Layers {
		want["blobs/sha256/"+l.Digest.Hex] = got["blobs/sha256/"+l.Digest.Hex] // the source's mode
		if got["blobs/sha256/"+l.Digest.Hex]&os.ModeSymlink != 0 {
			t.Errorf("layer blob %s is a symlink", l.Digest)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("layout files (-want +got):\n%s", diff)
	}
	if _, _, err := layout.ReadImage(out); err != nil {
		t.Error(err)
	}
}

func TestWriteErrorsLeaveNothing(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	tests := []struct {
		name    string
		change  func(in *layout.Input)
		wantErr string
	}{
		{name: "missing blob", change: func(in *layout.Input) { in.Blobs[1] += ".missing" }, wantErr: "layer 1 (sha256:"},
		{name: "blobs swapped", change: func(in *layout.Input) { in.Blobs[0], in.Blobs[1] = in.Blobs[1], in.Blobs[0] }, wantErr: "descriptor says"},
		{name: "too few blobs", change: func(in *layout.Input) { in.Blobs = in.Blobs[:1] }, wantErr: "1 blobs for 2 layers"},
		{name: "config tampered", change: func(in *layout.Input) { in.Config = append([]byte(" "), in.Config...) }, wantErr: "config has digest"},
		{name: "manifest of another image", change: func(in *layout.Input) { in.Manifest = []byte("{}") }, wantErr: "manifest has digest"},
		{name: "no ref name", change: func(in *layout.Input) { in.RefName = "" }, wantErr: "empty ref name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := input(img)
			in.Blobs = append([]string{}, in.Blobs...)
			tc.change(&in)
			parent := t.TempDir()
			err := layout.Write(filepath.Join(parent, "layout"), in)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Write error = %v, want one containing %q", err, tc.wantErr)
			}
			entries, _ := os.ReadDir(parent)
			var left []string
			for _, e := range entries {
				left = append(left, e.Name())
			}
			sort.Strings(left)
			if len(left) != 0 {
				t.Errorf("failed Write left %q", left)
			}
		})
	}
}

func TestWriteRefusesNonEmptyDir(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	out := filepath.Join(t.TempDir(), "layout")
	if err := os.MkdirAll(filepath.Join(out, "stale"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := layout.Write(out, input(img)); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("Write into a non-empty directory: error = %v", err)
	}
}

func TestReadImageErrors(t *testing.T) {
	if _, _, err := layout.ReadImage(t.TempDir()); err == nil || !strings.Contains(err.Error(), "reading layout") {
		t.Errorf("ReadImage(empty dir) error = %v", err)
	}
}

// TestReadImageThroughSymlinks reads a layout whose files are symlinks, the
// way a Bazel sandbox presents a directory input.
func TestReadImageThroughSymlinks(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	mirror := t.TempDir()
	err := filepath.Walk(img.Layout, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(img.Layout, p)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(mirror, rel), 0o755)
		}
		return os.Symlink(p, filepath.Join(mirror, rel))
	})
	if err != nil {
		t.Fatal(err)
	}
	got, desc, err := layout.ReadImage(mirror)
	if err != nil {
		t.Fatal(err)
	}
	if desc.Digest != img.Built.Descriptor.Manifest.Digest {
		t.Errorf("ReadImage digest = %s, want %s", desc.Digest, img.Built.Descriptor.Manifest.Digest)
	}
	if err := validate.Image(got); err != nil {
		t.Errorf("validate.Image: %v", err)
	}
}

// TestReadImageCorrupt refuses a layout whose manifest does not match its digest.
func TestReadImageCorrupt(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	d := img.Built.Descriptor.Manifest.Digest
	p := filepath.Join(img.Layout, "blobs", d.Algorithm, d.Hex)
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := layout.ReadImage(img.Layout); err == nil || !strings.Contains(err.Error(), "the layout is corrupt") {
		t.Errorf("ReadImage(corrupt manifest) error = %v, want one saying the layout is corrupt", err)
	}
}

func TestLinkBlob(t *testing.T) {
	dir := t.TempDir()
	blob := filepath.Join(dir, "blob")
	if err := os.WriteFile(blob, []byte("layer"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link") // Bazel's inputs are symlinks
	if err := os.Symlink(blob, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		src     string
		size    int64
		have    string // content already at dst
		want    string // content at dst after
		wantErr string
	}{
		{name: "through a symlink", src: link, size: 5, want: "layer"},
		{name: "wrong size", src: link, size: 4, wantErr: "has 5 bytes, its descriptor says 4"},
		{name: "not a file", src: dir, size: 5, wantErr: "is not a regular file"},
		{name: "already there", src: link, size: 5, have: "other", want: "other"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := filepath.Join(dir, "dst", strings.Repeat("x", i+1))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if tc.have != "" {
				if err := os.WriteFile(dst, []byte(tc.have), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := layout.LinkBlob(tc.src, dst, tc.size)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("LinkBlob: error %v, want one containing %q", err, tc.wantErr)
				}
				if _, err := os.Lstat(dst); err == nil {
					t.Errorf("LinkBlob failed but left %s", dst)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(dst)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("content (-want +got):\n%s", diff)
			}
			if fi, _ := os.Lstat(dst); !fi.Mode().IsRegular() {
				t.Errorf("%s is %v, want a regular file", dst, fi.Mode())
			}
		})
	}
}
