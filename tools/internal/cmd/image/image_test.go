package image

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
)

const (
	digestA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	diffB   = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

func write(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func outputs(dir string) []string {
	return []string{
		"--config-out", filepath.Join(dir, "config.json"),
		"--manifest-out", filepath.Join(dir, "manifest.json"),
		"--descriptor-out", filepath.Join(dir, "image.json"),
		"--digest-out", filepath.Join(dir, "digest"),
	}
}

// TestRunReadsNoBlob builds an image on a base from descriptors of layer
// blobs that exist nowhere: `distill image` reads descriptors only.
func TestRunReadsNoBlob(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "86400")
	in, out := t.TempDir(), t.TempDir()
	desc := write(t, filepath.Join(in, "layer.json"), `{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"`+digestA+`","size":42,"diffID":"`+diffB+`"}`)

	// A base made by a first run, from scratch.
	baseDir := t.TempDir()
	baseSpec := write(t, filepath.Join(in, "base.json"), `{"base": null, "layers": ["`+desc+`"], "entrypoint": null, "cmd": null,
		"env": ["PATH=/usr/bin:/bin"], "user": "", "workdir": "", "exposedPorts": [], "labels": {}, "annotations": {},
		"os": "linux", "architecture": "amd64", "variant": ""}`)
	if err := Run(context.Background(), append([]string{"--spec", baseSpec}, outputs(baseDir)...), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}

	spec := write(t, filepath.Join(in, "spec.json"), `{
		"base": {"image": "`+filepath.Join(baseDir, "image.json")+`", "config": "`+filepath.Join(baseDir, "config.json")+`"},
		"layers": ["`+desc+`"],
		"entrypoint": ["/app/server"], "cmd": null,
		"env": ["PATH=/app:$PATH", "FOO=bar"],
		"user": "65532", "workdir": "/home/nonroot",
		"exposedPorts": ["8080/tcp"],
		"labels": {"k": "v"}, "annotations": {"k": "v"},
		"os": "linux", "architecture": "amd64", "variant": ""
	}`)
	if err := Run(context.Background(), append([]string{"--spec", spec}, outputs(out)...), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}

	img, err := descriptor.ReadImage(filepath.Join(out, "image.json"))
	if err != nil {
		t.Fatal(err)
	}
	digest, err := os.ReadFile(filepath.Join(out, "digest"))
	if err != nil {
		t.Fatal(err)
	}
	if want := img.Manifest.Digest.String() + "\n"; string(digest) != want {
		t.Errorf("digest file = %q, want %q", digest, want)
	}
	for _, f := range []struct {
		name string
		desc v1.Descriptor
	}{{"config.json", img.Config}, {"manifest.json", img.Manifest}} {
		data, err := os.ReadFile(filepath.Join(out, f.name))
		if err != nil {
			t.Fatal(err)
		}
		h, size, _ := v1.SHA256(bytes.NewReader(data))
		if h != f.desc.Digest || size != f.desc.Size {
			t.Errorf("%s: digest %s size %d, descriptor says %s %d", f.name, h, size, f.desc.Digest, f.desc.Size)
		}
	}
	data, err := os.ReadFile(filepath.Join(out, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg v1.ConfigFile
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	got := struct {
		Created string
		Env     []string
		DiffIDs int
		Layers  int
	}{cfg.Created.UTC().Format("2006-01-02T15:04:05Z07:00"), cfg.Config.Env, len(cfg.RootFS.DiffIDs), len(img.Layers)}
	want := got
	want.Created, want.Env, want.DiffIDs, want.Layers = "1970-01-02T00:00:00Z", []string{"PATH=/app:/usr/bin:/bin", "FOO=bar"}, 2, 2
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("image (-want +got):\n%s", diff)
	}
}

func TestRunFailureLeavesNothing(t *testing.T) {
	in := t.TempDir()
	scratch := `"os": "linux", "architecture": "amd64"`
	tests := []struct {
		name, spec, wantErr string
	}{
		{name: "missing layer descriptor", spec: `{"layers": ["` + filepath.Join(in, "nope.json") + `"], ` + scratch + `}`, wantErr: "layer 0: reading layer descriptor: open " + filepath.Join(in, "nope.json")},
		{name: "missing base", spec: `{"base": {"image": "` + filepath.Join(in, "nope.json") + `", "config": "x"}, ` + scratch + `}`, wantErr: "base: reading image descriptor"},
		{name: "unknown field", spec: `{"entrypiont": ["/y"], ` + scratch + `}`, wantErr: `unknown field "entrypiont"`},
		{name: "bad env", spec: `{"env": ["NOVALUE"], ` + scratch + `}`, wantErr: `env entry "NOVALUE"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			spec := write(t, filepath.Join(t.TempDir(), "spec.json"), tc.spec)
			err := Run(context.Background(), append([]string{"--spec", spec}, outputs(out)...), io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Run error = %v, want one containing %q", err, tc.wantErr)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("failed run left %v", entries)
			}
		})
	}
}
