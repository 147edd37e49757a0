package layout

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ggcrlayout "github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	imagecmd "github.com/rules-distill/rules_distill/tools/internal/cmd/image"
	layercmd "github.com/rules-distill/rules_distill/tools/internal/cmd/layer"
)

func write(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t *testing.T, f func(context.Context, []string, io.Writer, io.Writer) error, args ...string) {
	t.Helper()
	if err := f(context.Background(), args, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
}

// pipeline runs `distill layer` twice and `distill image` in dir and
// returns the flags `distill layout` needs, but --output.
func pipeline(t *testing.T, dir string) []string {
	t.Helper()
	src := write(t, filepath.Join(dir, "server"), "#!server\n")
	var descs, blobs []string
	for i, entries := range []string{
		`{"entries": [{"path": "etc/motd", "kind": "file", "src": "` + src + `"}]}`,
		`{"entries": [{"path": "app/server", "kind": "file", "src": "` + src + `", "mode": 493}, {"path": "bin", "kind": "symlink", "target": "app"}]}`,
	} {
		n := string(rune('0' + i))
		e := write(t, filepath.Join(dir, "entries"+n+".json"), entries)
		blob, desc := filepath.Join(dir, "layer"+n+".tar.gz"), filepath.Join(dir, "layer"+n+".json")
		run(t, layercmd.Run, "--entries", e, "--output", blob, "--descriptor", desc)
		descs, blobs = append(descs, `"`+desc+`"`), append(blobs, blob)
	}
	spec := write(t, filepath.Join(dir, "spec.json"), `{"layers": [`+strings.Join(descs, ",")+`], "entrypoint": ["/app/server"], "os": "linux", "architecture": "amd64"}`)
	run(t, imagecmd.Run, "--spec", spec,
		"--config-out", filepath.Join(dir, "config.json"),
		"--manifest-out", filepath.Join(dir, "manifest.json"),
		"--descriptor-out", filepath.Join(dir, "image.json"),
		"--digest-out", filepath.Join(dir, "digest"))
	args := []string{
		"--image", filepath.Join(dir, "image.json"),
		"--config", filepath.Join(dir, "config.json"),
		"--manifest", filepath.Join(dir, "manifest.json"),
		"--ref-name", "app:latest",
	}
	for _, b := range blobs {
		args = append(args, "--blob", b)
	}
	return args
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(t.TempDir(), "layout")
	if err := os.Mkdir(out, 0o755); err != nil { // Bazel creates declared directories
		t.Fatal(err)
	}
	run(t, Run, append(pipeline(t, dir), "--output", out)...)

	idx, err := ggcrlayout.ImageIndexFromPath(out)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	digest, err := os.ReadFile(filepath.Join(dir, "digest"))
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || im.Manifests[0].Digest.String()+"\n" != string(digest) {
		t.Fatalf("index.json manifests = %+v, want one with digest %s", im.Manifests, digest)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Errorf("validate.Image: %v", err)
	}
}

func TestRunFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	args := pipeline(t, dir)
	if err := os.Remove(filepath.Join(dir, "layer1.tar.gz")); err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	err := Run(context.Background(), append(args, "--output", filepath.Join(parent, "layout")), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "layer 1") || !strings.Contains(err.Error(), "layer1.tar.gz") {
		t.Fatalf("Run error = %v, want one naming layer 1 and its blob", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("failed run left %v", entries)
	}
}
