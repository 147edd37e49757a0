package tarball

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrtarball "github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/internal/testimage"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
)

func TestRun(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	out := filepath.Join(t.TempDir(), "image.tar")
	if err := Run(context.Background(), []string{"--layout", img.Layout, "--tag", "example.com/app:v1", "--output", out}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag("example.com/app:v1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ggcrtarball.ImageFromPath(out, &tag)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := got.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	if cfg != img.Built.Descriptor.Config.Digest {
		t.Errorf("config digest = %s, want %s", cfg, img.Built.Descriptor.Config.Digest)
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantUsage bool
	}{
		{name: "missing tag", args: []string{"--layout", "x"}, wantUsage: true},
		{name: "no layout", args: []string{"--layout", "nope", "--tag", "app:v1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			err := Run(context.Background(), append(tc.args, "--output", filepath.Join(dir, "image.tar")), io.Discard, io.Discard)
			var ue *cli.UsageError
			if err == nil || errors.As(err, &ue) != tc.wantUsage {
				t.Fatalf("Run error = %v, want usage error: %t", err, tc.wantUsage)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("failed run left %v", entries)
			}
		})
	}
}
