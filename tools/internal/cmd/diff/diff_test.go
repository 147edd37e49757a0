package diff

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	ggcrlayout "github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/internal/testimage"
	"github.com/rules-distill/rules_distill/tools/pkg/imagediff"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
	"github.com/rules-distill/rules_distill/tools/pkg/layout"
	"github.com/rules-distill/rules_distill/tools/pkg/tarball"
)

func TestRun(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	dir := t.TempDir()
	archive := filepath.Join(dir, "image.tar")
	if err := tarball.Write(archive, img.Layout, []string{"distill.test/app:v1"}); err != nil {
		t.Fatal(err)
	}
	// The same layers, zstd-compressed: another manifest, the same filesystem and config.
	zstd := testimage.New(t, layer.Zstd)
	// The same image running as root.
	v1img, _, err := layout.ReadImage(img.Layout)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := v1img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Config.User = ""
	root, err := mutate.ConfigFile(v1img, cf)
	if err != nil {
		t.Fatal(err)
	}
	rootLayout := filepath.Join(dir, "root")
	p, err := ggcrlayout.Write(rootLayout, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(root); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name          string
		args          []string
		wantErr       error
		wantIdentical bool
		wantConfig    int
	}{
		{name: "itself", args: []string{img.Layout, img.Layout, "--json"}, wantIdentical: true},
		{name: "layout and docker-archive", args: []string{"--json", img.Layout, archive}, wantIdentical: true},
		{name: "gzip and zstd", args: []string{"--json", img.Layout, zstd.Layout}, wantIdentical: true},
		{name: "user changed", args: []string{"--json", img.Layout, rootLayout}, wantErr: Differ, wantConfig: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout bytes.Buffer
			err := Run(context.Background(), tc.args, &stdout, io.Discard)
			if err != tc.wantErr {
				t.Fatalf("Run error = %v, want %v", err, tc.wantErr)
			}
			var got imagediff.Diff
			if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, stdout.String())
			}
			if got.Identical != tc.wantIdentical || len(got.Config) != tc.wantConfig {
				t.Errorf("identical %t with %d config changes, want %t %d:\n%s", got.Identical, len(got.Config), tc.wantIdentical, tc.wantConfig, stdout.String())
			}
		})
	}
}

func TestRunTrouble(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	missing := filepath.Join(t.TempDir(), "nope")
	tests := []struct {
		name     string
		args     []string
		wantCode int // 0: a usage error
		wantErr  string
	}{
		{name: "missing image", args: []string{img.Layout, missing}, wantCode: 2, wantErr: "no such file"},
		{name: "one image", args: []string{img.Layout}, wantErr: "want 2 argument(s), A B, got 1"},
		{name: "bad max-files", args: []string{img.Layout, img.Layout, "--max-files", "-1"}, wantErr: "--max-files -1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Run(context.Background(), tc.args, io.Discard, io.Discard)
			var es *ExitStatus
			var ue *cli.UsageError
			switch {
			case tc.wantCode != 0 && (!errors.As(err, &es) || es.ExitCode() != tc.wantCode):
				t.Errorf("Run error = %v (%T), want exit status %d", err, err, tc.wantCode)
			case tc.wantCode == 0 && !errors.As(err, &ue):
				t.Errorf("Run error = %v (%T), want a usage error", err, err)
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Run error = %v, want %q", err, tc.wantErr)
			}
		})
	}
}
