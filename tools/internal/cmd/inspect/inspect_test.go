package inspect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/internal/testimage"
	distinspect "github.com/rules-distill/rules_distill/tools/pkg/inspect"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
	"github.com/rules-distill/rules_distill/tools/pkg/tarball"
)

func TestRun(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	archive := filepath.Join(t.TempDir(), "image.tar")
	if err := tarball.Write(archive, img.Layout, []string{"distill.test/app:v1"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		wantKind  string
		wantFiles int // paths in the JSON's files
		wantTop   int
	}{
		{name: "layout", args: []string{img.Layout, "--json"}, wantKind: "oci-layout", wantTop: 2},
		{name: "flags first, files listed", args: []string{"--json", "--files", "--top", "1", img.Layout}, wantKind: "oci-layout", wantFiles: 8, wantTop: 1},
		{name: "docker-archive", args: []string{"--json", archive}, wantKind: "docker-archive", wantTop: 2},
		{name: "after --", args: []string{"--json", "--", archive}, wantKind: "docker-archive", wantTop: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout bytes.Buffer
			if err := Run(context.Background(), tc.args, &stdout, io.Discard); err != nil {
				t.Fatal(err)
			}
			var got distinspect.Image
			if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, stdout.String())
			}
			if got.SchemaVersion != 1 || got.Source.Kind != tc.wantKind || len(got.Files) != tc.wantFiles || len(got.LargestFiles) != tc.wantTop {
				t.Errorf("got schema %d kind %q, %d files, %d largest; want 1 %q %d %d", got.SchemaVersion, got.Source.Kind, len(got.Files), len(got.LargestFiles), tc.wantKind, tc.wantFiles, tc.wantTop)
			}
			if diff := cmp.Diff(img.Built.Descriptor.Config.Digest.String(), got.ConfigDigest); diff != "" {
				t.Errorf("config digest (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunText(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	var stdout bytes.Buffer
	if err := Run(context.Background(), []string{img.Layout}, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	want := "digest:     " + img.Built.Descriptor.Manifest.Digest.String() + "\n"
	if !strings.Contains(stdout.String(), want) {
		t.Errorf("stdout = %q, want a line %q", stdout.String(), want)
	}
}

func TestRunErrors(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	tests := []struct {
		name      string
		args      []string
		wantUsage bool
		wantHelp  bool
		wantErr   string
	}{
		{name: "no image", args: []string{"--json"}, wantUsage: true, wantErr: "want 1 argument(s), IMAGE, got 0"},
		{name: "two images", args: []string{img.Layout, img.Layout}, wantUsage: true, wantErr: "got 2"},
		{name: "files without json", args: []string{img.Layout, "--files"}, wantUsage: true, wantErr: "add --json"},
		{name: "bad top", args: []string{img.Layout, "--top", "0"}, wantUsage: true, wantErr: "--top 0"},
		{name: "bad platform", args: []string{img.Layout, "--platform", "linux"}, wantUsage: true, wantErr: "write OS/ARCH"},
		{name: "unknown flag", args: []string{img.Layout, "--nope"}, wantUsage: true, wantErr: "-nope"},
		{name: "help", args: []string{"-h"}, wantUsage: true, wantHelp: true},
		{name: "missing", args: []string{filepath.Join(t.TempDir(), "nope")}, wantErr: "no such file"},
		{name: "wrong platform", args: []string{img.Layout, "--platform", "linux/arm64"}, wantErr: "not linux/arm64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Run(context.Background(), tc.args, io.Discard, io.Discard)
			if err == nil {
				t.Fatal("Run succeeded")
			}
			var ue *cli.UsageError
			if errors.As(err, &ue) != tc.wantUsage || cli.Help(err) != tc.wantHelp {
				t.Errorf("Run error = %v (%T), want usage %t help %t", err, err, tc.wantUsage, tc.wantHelp)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Run error = %v, want %q", err, tc.wantErr)
			}
		})
	}
}
