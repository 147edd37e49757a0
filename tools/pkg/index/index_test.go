package index_test

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	ggcrlayout "github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/rules-distill/rules_distill/tools/pkg/index"
	"github.com/rules-distill/rules_distill/tools/pkg/index/indextest"
	"github.com/rules-distill/rules_distill/tools/pkg/layout"
)

// manifestOf reads the one manifest descriptor of an image layout.
func manifestOf(t *testing.T, dir string) v1.Descriptor {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return m.Manifests[0]
}

// readIndex opens the index of an index layout with go-containerregistry.
func readIndex(t *testing.T, dir string) (v1.ImageIndex, v1.Descriptor) {
	t.Helper()
	top, err := ggcrlayout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := top.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 1 {
		t.Fatalf("index.json lists %d manifests, want 1 (the index)", len(m.Manifests))
	}
	idx, err := top.ImageIndex(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	return idx, m.Manifests[0]
}

func TestWrite(t *testing.T) {
	images := indextest.Images(t, indextest.AMD64, indextest.ARM64)
	dir := filepath.Join(t.TempDir(), "index")
	res, err := index.Write(dir, index.Input{Images: images, RefName: "latest"})
	if err != nil {
		t.Fatal(err)
	}
	idx, top := readIndex(t, dir)
	wantTop := v1.Descriptor{
		MediaType:   types.OCIImageIndex,
		Size:        res.Descriptor.Size,
		Digest:      res.Descriptor.Digest,
		Annotations: map[string]string{layout.RefNameAnnotation: "latest"},
	}
	if diff := cmp.Diff(wantTop, top); diff != "" {
		t.Errorf("index.json (-want +got):\n%s", diff)
	}
	if err := validate.Index(idx); err != nil {
		t.Errorf("validate.Index: %v", err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var want []v1.Descriptor
	for _, img := range images {
		d := manifestOf(t, img.Layout)
		p := img.Platform
		want = append(want, v1.Descriptor{MediaType: d.MediaType, Size: d.Size, Digest: d.Digest, Platform: &p})
	}
	if diff := cmp.Diff(&v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: want}, m); diff != "" {
		t.Errorf("index manifest (-want +got):\n%s", diff)
	}
	if got, _ := idx.Digest(); got != res.Descriptor.Digest {
		t.Errorf("index digest %s, Write returned %s", got, res.Descriptor.Digest)
	}
	// Each platform's image is the one of its own layout, config included.
	for _, img := range images {
		got, err := idx.Image(manifestOf(t, img.Layout).Digest)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := got.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(img.Platform, v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}); diff != "" {
			t.Errorf("config platform (-want +got):\n%s", diff)
		}
	}
	// 1 index + 2 × (manifest, config, own layer) + the shared layer once.
	entries, err := os.ReadDir(filepath.Join(dir, "blobs", "sha256"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 8 {
		t.Errorf("%d blobs, want 8 (the shared layer once)", len(entries))
	}
	// Layer blobs are hard links of the image layouts' blobs, not copies.
	l := filepath.Join(images[0].Layout, "blobs", "sha256")
	des, _ := os.ReadDir(l)
	for _, de := range des {
		a, err1 := os.Stat(filepath.Join(l, de.Name()))
		b, err2 := os.Stat(filepath.Join(dir, "blobs", "sha256", de.Name()))
		if err1 != nil || err2 != nil || !os.SameFile(a, b) {
			t.Errorf("blob %s is not a hard link of the image layout's (%v, %v)", de.Name(), err1, err2)
		}
	}
}

func TestWriteIsDeterministic(t *testing.T) {
	images := indextest.Images(t, indextest.ARM64, indextest.AMD64)
	var got []string
	for _, name := range []string{"a", "b"} {
		dir := filepath.Join(t.TempDir(), name)
		res, err := index.Write(dir, index.Input{Images: images, RefName: "v1"})
		if err != nil {
			t.Fatal(err)
		}
		top, err := os.ReadFile(filepath.Join(dir, "index.json"))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, res.Descriptor.Digest.String()+" "+string(top)+string(res.Index))
	}
	if diff := cmp.Diff(got[0], got[1]); diff != "" {
		t.Errorf("two writes differ (-first +second):\n%s", diff)
	}
	if !strings.Contains(got[0], `"platform":{"architecture":"arm64","os":"linux","variant":"v8"}`) {
		t.Errorf("index lacks the arm64/v8 platform: %s", got[0])
	}
}

func TestWriteErrors(t *testing.T) {
	images := indextest.Images(t, indextest.AMD64, indextest.ARM64)
	corrupt := indextest.Images(t, indextest.AMD64)[0]
	manifest := filepath.Join(corrupt.Layout, "blobs", "sha256", manifestOf(t, corrupt.Layout).Digest.Hex)
	if err := os.Chmod(manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(manifest, []byte(`{"schemaVersion":2}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      index.Input
		wantErr string
	}{
		{
			name:    "same platform twice",
			in:      index.Input{Images: []index.Image{images[0], {Platform: indextest.AMD64, Layout: images[1].Layout}}, RefName: "latest"},
			wantErr: "are both linux/amd64: an index holds one image per platform",
		},
		{
			name:    "platform not the config's",
			in:      index.Input{Images: []index.Image{{Platform: indextest.ARM64, Layout: images[0].Layout}}, RefName: "latest"},
			wantErr: "is linux/amd64 by its config, not linux/arm64/v8",
		},
		{
			name:    "arm64 without its variant",
			in:      index.Input{Images: []index.Image{{Platform: v1.Platform{OS: "linux", Architecture: "arm64"}, Layout: images[1].Layout}}, RefName: "latest"},
			wantErr: "is linux/arm64/v8 by its config, not linux/arm64",
		},
		{
			name:    "no images",
			in:      index.Input{RefName: "latest"},
			wantErr: "no images",
		},
		{
			name:    "no ref name",
			in:      index.Input{Images: images},
			wantErr: "empty ref name",
		},
		{
			name:    "missing layout",
			in:      index.Input{Images: []index.Image{{Platform: indextest.AMD64, Layout: filepath.Join(t.TempDir(), "nope")}}, RefName: "latest"},
			wantErr: "reading image layout",
		},
		{
			name:    "corrupt manifest",
			in:      index.Input{Images: []index.Image{corrupt}, RefName: "latest"},
			wantErr: "the layout is corrupt, rebuild it",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "index")
			_, err := index.Write(dir, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Write error = %v, want one containing %q", err, tt.wantErr)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("a failed Write left %s behind (%v)", dir, err)
			}
			siblings, _ := os.ReadDir(filepath.Dir(dir))
			if len(siblings) != 0 {
				t.Errorf("a failed Write left temporary files: %v", siblings)
			}
		})
	}
}

func TestParsePlatform(t *testing.T) {
	tests := []struct {
		in      string
		want    v1.Platform
		wantErr bool
	}{
		{in: "linux/amd64", want: indextest.AMD64},
		{in: "linux/arm64/v8", want: indextest.ARM64},
		{in: "linux", wantErr: true},
		{in: "linux/", wantErr: true},
		{in: "linux/arm64/", wantErr: true},
		{in: "linux/arm64/v8/x", wantErr: true},
	}
	for _, tt := range tests {
		got, err := index.ParsePlatform(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParsePlatform(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParsePlatform(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestWriteArchive(t *testing.T) {
	images := indextest.Images(t, indextest.AMD64, indextest.ARM64)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "index")
	res, err := index.Write(dir, index.Input{Images: images, RefName: "latest"})
	if err != nil {
		t.Fatal(err)
	}
	var archives [][]byte
	for _, name := range []string{"a.tar", "b.tar"} {
		p := filepath.Join(tmp, name)
		if err := index.WriteArchive(p, dir); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		archives = append(archives, b)
	}
	if !bytes.Equal(archives[0], archives[1]) {
		t.Error("two archives of one layout differ")
	}
	// The entries: oci-layout, index.json, the blob directories, the blobs
	// sorted; root-owned, time zero; extracted, the layout again.
	blobs, _ := os.ReadDir(filepath.Join(dir, "blobs", "sha256"))
	want := []string{"oci-layout 0644", "index.json 0644", "blobs/ 0755", "blobs/sha256/ 0755"}
	var names []string
	for _, b := range blobs {
		names = append(names, "blobs/sha256/"+b.Name()+" 0644")
	}
	sort.Strings(names)
	want = append(want, names...)
	var got []string
	out := filepath.Join(tmp, "extracted")
	tr := tar.NewReader(bytes.NewReader(archives[0]))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %04o", hdr.Name, hdr.Mode))
		if hdr.Uid != 0 || hdr.Gid != 0 || hdr.Uname != "" || hdr.ModTime.Unix() != 0 {
			t.Errorf("%s: uid %d gid %d uname %q mtime %v, want 0 0 \"\" 0", hdr.Name, hdr.Uid, hdr.Gid, hdr.Uname, hdr.ModTime)
		}
		p := filepath.Join(out, hdr.Name)
		if hdr.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("archive entries (-want +got):\n%s", diff)
	}
	idx, top := readIndex(t, out)
	if top.Digest != res.Descriptor.Digest {
		t.Errorf("extracted index %s, want %s", top.Digest, res.Descriptor.Digest)
	}
	if err := validate.Index(idx); err != nil {
		t.Errorf("validate.Index of the extracted archive: %v", err)
	}
}

func TestWriteArchiveErrors(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "x.tar")
	if err := index.WriteArchive(out, filepath.Join(tmp, "nope")); err == nil || !strings.Contains(err.Error(), "reading OCI layout") {
		t.Errorf("WriteArchive of a missing layout: error %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed WriteArchive left %s (%v)", out, err)
	}
}
