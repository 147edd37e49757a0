package layer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	distlayer "github.com/rules-distill/rules_distill/tools/pkg/layer"
	"github.com/rules-distill/rules_distill/tools/pkg/sbom"
)

// TestContents: --contents lists each regular file with its sha256 and the
// os-release; it appears with the blob and descriptor, or not at all.
func TestContents(t *testing.T) {
	in := t.TempDir()
	osRelease := write(t, filepath.Join(in, "os-release"), "ID=debian\nVERSION_ID=\"13\"\n")
	server := write(t, filepath.Join(in, "server"), "#!server\n")
	entries := write(t, filepath.Join(in, "entries.json"), `{"entries": [
		{"path": "etc/os-release", "kind": "file", "src": "`+osRelease+`"},
		{"path": "app/server", "kind": "file", "src": "`+server+`", "mode": 493},
		{"path": "app/bin", "kind": "symlink", "target": "server"}]}`)
	out := t.TempDir()
	blob, desc, contents := filepath.Join(out, "l.tar.gz"), filepath.Join(out, "d.json"), filepath.Join(out, "c.json")
	if err := Run(context.Background(), []string{"--entries", entries, "--output", blob, "--descriptor", desc, "--contents", contents}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	d, err := descriptor.ReadLayer(desc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := sbom.ReadContents(contents)
	if err != nil {
		t.Fatal(err)
	}
	want := sbom.Contents{
		Layer: d.Digest,
		Files: []distlayer.FileSum{
			{Path: "app/server", SHA256: sha256hex("#!server\n"), Size: 9},
			{Path: "etc/os-release", SHA256: sha256hex("ID=debian\nVERSION_ID=\"13\"\n"), Size: 26},
		},
		OSRelease: &sbom.OSRelease{ID: "debian", VersionID: "13"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("contents mismatch (-want +got):\n%s", diff)
	}

	// A failing layer leaves none of the three files.
	bad := write(t, filepath.Join(in, "bad.json"), `{"entries": [{"path": "x", "kind": "file", "src": "`+filepath.Join(in, "missing")+`"}]}`)
	out = t.TempDir()
	err = Run(context.Background(), []string{"--entries", bad, "--output", filepath.Join(out, "l"), "--descriptor", filepath.Join(out, "d"), "--contents", filepath.Join(out, "c")}, io.Discard, io.Discard)
	if err == nil {
		t.Fatal("Run with a missing src succeeded")
	}
	if names := ls(t, out); len(names) != 0 {
		t.Errorf("a failed run left %q", names)
	}
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
