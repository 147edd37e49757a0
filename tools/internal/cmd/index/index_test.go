package index

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/index/indextest"
)

func TestRun(t *testing.T) {
	images := indextest.Images(t, indextest.AMD64, indextest.ARM64)
	amd64 := "linux/amd64=" + images[0].Layout
	arm64 := "linux/arm64/v8=" + images[1].Layout
	tmp := t.TempDir()
	out := filepath.Join(tmp, "index")
	indexOut := filepath.Join(tmp, "index.json")
	digestOut := filepath.Join(tmp, "index.digest")
	err := Run(context.Background(), []string{"--image", amd64, "--image", arm64, "--ref-name", "latest",
		"--output", out, "--index-out", indexOut, "--digest-out", digestOut}, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	digest, err := os.ReadFile(digestOut)
	if err != nil {
		t.Fatal(err)
	}
	blob, err := os.ReadFile(filepath.Join(out, "blobs", "sha256", strings.TrimPrefix(strings.TrimSpace(string(digest)), "sha256:")))
	if err != nil {
		t.Fatalf("the layout has no blob for the digest in --digest-out: %v", err)
	}
	raw, err := os.ReadFile(indexOut)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(blob), string(raw)); diff != "" {
		t.Errorf("--index-out is not the index blob (-blob +index-out):\n%s", diff)
	}

	archive := filepath.Join(tmp, "index.tar")
	if err := Run(context.Background(), []string{"--archive", out, "--output", archive}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(archive); err != nil || fi.Size() == 0 {
		t.Errorf("no archive written: %v", err)
	}
}

func TestRunErrors(t *testing.T) {
	images := indextest.Images(t, indextest.AMD64)
	amd64 := "linux/amd64=" + images[0].Layout
	tests := []struct {
		name      string
		args      []string
		wantUsage bool
		wantErr   string
	}{
		{name: "no output", args: []string{"--image", amd64, "--ref-name", "x"}, wantUsage: true, wantErr: "missing required flag --output"},
		{name: "no image", args: []string{"--ref-name", "x", "--output", "OUT"}, wantUsage: true, wantErr: "missing --image or --ref-name"},
		{name: "no ref name", args: []string{"--image", amd64, "--output", "OUT"}, wantUsage: true, wantErr: "missing --image or --ref-name"},
		{name: "image without platform", args: []string{"--image", images[0].Layout, "--ref-name", "x", "--output", "OUT"}, wantUsage: true, wantErr: "want PLATFORM=LAYOUT"},
		{name: "bad platform", args: []string{"--image", "amd64=" + images[0].Layout, "--ref-name", "x", "--output", "OUT"}, wantUsage: true, wantErr: "want os/architecture[/variant]"},
		{name: "archive with images", args: []string{"--archive", images[0].Layout, "--image", amd64, "--output", "OUT"}, wantUsage: true, wantErr: "--archive takes only --output"},
		{name: "duplicate platform", args: []string{"--image", amd64, "--image", amd64, "--ref-name", "x", "--output", "OUT", "--digest-out", "DIGEST", "--index-out", "INDEX"}, wantErr: "are both linux/amd64"},
		{name: "wrong platform", args: []string{"--image", "linux/arm64/v8=" + images[0].Layout, "--ref-name", "x", "--output", "OUT", "--digest-out", "DIGEST"}, wantErr: "is linux/amd64 by its config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				if a == "OUT" || a == "DIGEST" || a == "INDEX" {
					a = filepath.Join(tmp, a)
				}
				args[i] = a
			}
			err := Run(context.Background(), args, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Run error = %v, want one containing %q", err, tt.wantErr)
			}
			var ue *cli.UsageError
			if got := errors.As(err, &ue); got != tt.wantUsage {
				t.Errorf("usage error = %v, want %v", got, tt.wantUsage)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("a failed run left %v", left)
			}
		})
	}
}
