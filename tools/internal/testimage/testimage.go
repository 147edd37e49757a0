package testimage

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/image"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
	"github.com/rules-distill/rules_distill/tools/pkg/layout"
)

// Created is the timestamp of every test image.
var Created = time.Unix(1700000000, 0).UTC()

// RefName is the ref name of the layout of every test image.
const RefName = "distill.test/app:latest"

// Image is a built test image and the files it was built from.
type Image struct {
	// Blobs are the layer blob files, bottom layer first.
	Blobs []string
	// Built holds the config, manifest and image descriptor.
	Built *image.Image
	// Layout is an OCI layout directory holding the image.
	Layout string
}

// New builds a two-layer linux/amd64 image compressed with c under a
// temporary directory.
func New(t testing.TB, c layer.Compression) *Image {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	files := map[string]string{"server": "#!/bin/server\n", "config.yaml": "port: 8080\n"}
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mode := int64(0o755)
	layers := [][]layer.Entry{
		{{Path: "etc/app/config.yaml", Kind: layer.File, Src: filepath.Join(src, "config.yaml")}},
		{
			{Path: "app/server", Kind: layer.File, Src: filepath.Join(src, "server"), Mode: &mode},
			{Path: "usr/bin/server", Kind: layer.Symlink, Target: "/app/server"},
		},
	}
	img := &Image{}
	var descs []descriptor.Layer
	for i, entries := range layers {
		p := filepath.Join(dir, "layer"+string(rune('0'+i)))
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		d, err := layer.Write(f, entries, layer.Options{Compression: c, Level: c.DefaultLevel(), ModTime: Created})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		img.Blobs = append(img.Blobs, p)
		descs = append(descs, d)
	}
	spec := image.Spec{
		Entrypoint:   []string{"/app/server"},
		Env:          []string{"PATH=/usr/bin"},
		User:         "65532",
		OS:           "linux",
		Architecture: "amd64",
	}
	built, err := image.Build(spec, nil, descs, Created)
	if err != nil {
		t.Fatal(err)
	}
	img.Built = built
	img.Layout = filepath.Join(dir, "layout")
	err = layout.Write(img.Layout, layout.Input{
		Image:    built.Descriptor,
		Config:   built.Config,
		Manifest: built.Manifest,
		Blobs:    img.Blobs,
		RefName:  RefName,
	})
	if err != nil {
		t.Fatal(err)
	}
	return img
}
