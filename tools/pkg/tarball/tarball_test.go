package tarball_test

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrtarball "github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/rules-distill/rules_distill/tools/internal/testimage"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
	"github.com/rules-distill/rules_distill/tools/pkg/tarball"
)

func TestWriteReadBack(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	out := filepath.Join(t.TempDir(), "image.tar")
	if err := tarball.Write(out, img.Layout, []string{"distill.test/app:v1", "distill.test/app", "distill.test/app:v1"}); err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag("distill.test/app:v1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ggcrtarball.ImageFromPath(out, &tag)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(got); err != nil {
		t.Errorf("validate.Image: %v", err)
	}
	cfg, err := got.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	if want := img.Built.Descriptor.Config.Digest; cfg != want {
		t.Errorf("config digest = %s, want %s", cfg, want)
	}
	layers, err := got.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range layers {
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		if want := img.Built.Descriptor.Layers[i].Digest; d != want {
			t.Errorf("layer %d digest = %s, want %s", i, d, want)
		}
	}

	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var manifest []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	if err := json.Unmarshal(entry(t, data, "manifest.json"), &manifest); err != nil {
		t.Fatal(err)
	}
	d := img.Built.Descriptor
	want := []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}{{
		Config:   d.Config.Digest.String(),
		RepoTags: []string{"distill.test/app:v1", "distill.test/app:latest"},
		Layers:   []string{d.Layers[0].Digest.Hex + ".tar.gz", d.Layers[1].Digest.Hex + ".tar.gz"},
	}}
	if diff := cmp.Diff(want, manifest); diff != "" {
		t.Errorf("manifest.json (-want +got):\n%s", diff)
	}
}

// entry returns the content of the tar entry called name.
func entry(t *testing.T, data []byte, name string) []byte {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			t.Fatalf("no %s in tarball", name)
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == name {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
}

func TestDeterministic(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	dir := t.TempDir()
	var tars [][]byte
	for _, n := range []string{"a.tar", "b.tar"} {
		p := filepath.Join(dir, n)
		if err := tarball.Write(p, img.Layout, []string{"app:latest", "b:1", "a:2", "c/d:3"}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		tars = append(tars, b)
	}
	if !bytes.Equal(tars[0], tars[1]) {
		t.Error("two tarballs of the same layout differ")
	}
}

func TestWriteErrorsLeaveNothing(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	broken := t.TempDir()
	if err := os.CopyFS(broken, os.DirFS(img.Layout)); err != nil {
		t.Fatal(err)
	}
	// A layout whose layer blob is gone fails half-way through the tarball.
	if err := os.Remove(filepath.Join(broken, "blobs", "sha256", img.Built.Descriptor.Layers[1].Digest.Hex)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, layout, tag, wantErr string
	}{
		{name: "bad tag", layout: img.Layout, tag: "App:UPPER:x", wantErr: `tag "App:UPPER:x"`},
		{name: "no layout", layout: filepath.Join(broken, "nope"), tag: "app:v1", wantErr: "reading layout"},
		{name: "missing blob", layout: broken, tag: "app:v1", wantErr: "image.tar: layer " + img.Built.Descriptor.Layers[1].Digest.String()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			err := tarball.Write(filepath.Join(dir, "image.tar"), tc.layout, []string{"ok:1", tc.tag})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Write error = %v, want one containing %q", err, tc.wantErr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("failed Write left %v", entries)
			}
		})
	}
}
