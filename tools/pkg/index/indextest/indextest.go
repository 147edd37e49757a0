package indextest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/image"
	"github.com/rules-distill/rules_distill/tools/pkg/index"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
	"github.com/rules-distill/rules_distill/tools/pkg/layout"
)

// Created is the timestamp of every test image.
var Created = time.Unix(1700000000, 0).UTC()

// AMD64 and ARM64 are the platforms of the runtime images.
var (
	AMD64 = v1.Platform{OS: "linux", Architecture: "amd64"}
	ARM64 = v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
)

// Images builds one two-layer image per platform, each in its own OCI
// layout under a temporary directory. The bottom layer (a config file) is
// the same blob in every image, as an arch-independent package's layer is;
// the top layer (the "server") differs per platform.
func Images(t testing.TB, platforms ...v1.Platform) []index.Image {
	t.Helper()
	dir := t.TempDir()
	shared := writeLayer(t, dir, "shared", "etc/app/config.yaml", "port: 8080\n")
	var out []index.Image
	for i, p := range platforms {
		name := "image" + string(rune('0'+i))
		own := writeLayer(t, dir, name+"-server", "app/server", "server for "+p.OS+"/"+p.Architecture+"/"+p.Variant+"\n")
		built, err := image.Build(image.Spec{
			Entrypoint:   []string{"/app/server"},
			OS:           p.OS,
			Architecture: p.Architecture,
			Variant:      p.Variant,
		}, nil, []descriptor.Layer{shared.desc, own.desc}, Created)
		if err != nil {
			t.Fatal(err)
		}
		l := filepath.Join(dir, name)
		err = layout.Write(l, layout.Input{
			Image:    built.Descriptor,
			Config:   built.Config,
			Manifest: built.Manifest,
			Blobs:    []string{shared.path, own.path},
			RefName:  "latest",
		})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, index.Image{Platform: p, Layout: l})
	}
	return out
}

type blob struct {
	path string
	desc descriptor.Layer
}

func writeLayer(t testing.TB, dir, name, path, content string) blob {
	t.Helper()
	src := filepath.Join(dir, name+".src")
	if err := os.WriteFile(src, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name+".tar.gz")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	d, err := layer.Write(f, []layer.Entry{{Path: path, Kind: layer.File, Src: src}},
		layer.Options{Compression: layer.Gzip, Level: layer.Gzip.DefaultLevel(), ModTime: Created})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return blob{path: p, desc: d}
}
