package layer

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
	"github.com/rules-distill/rules_distill/tools/internal/layertest"
)

func write(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func ls(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestRun(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	in, out := t.TempDir(), t.TempDir()
	src := write(t, filepath.Join(in, "server"), "#!server\n")
	entries := write(t, filepath.Join(in, "entries.json"), `{"entries": [
		{"path": "app/server", "kind": "file", "src": "`+src+`", "mode": 493, "uid": 0, "gid": 0},
		{"path": "app", "kind": "dir", "mode": 493, "uid": 0, "gid": 0},
		{"path": "usr/bin/server", "kind": "symlink", "target": "/app/server"}
	]}`)
	for _, c := range []string{"gzip", "zstd", "none"} {
		t.Run(c, func(t *testing.T) {
			blob, desc := filepath.Join(out, c+".tar"), filepath.Join(out, c+".json")
			args := []string{"--entries", entries, "--output", blob, "--descriptor", desc, "--compression", c}
			if err := Run(context.Background(), args, io.Discard, io.Discard); err != nil {
				t.Fatal(err)
			}
			layertest.CheckOutputs(t, blob, desc)
		})
	}
	// Only the outputs: no temporary file is left behind.
	want := []string{"gzip.json", "gzip.tar", "none.json", "none.tar", "zstd.json", "zstd.tar"}
	if diff := cmp.Diff(want, ls(t, out)); diff != "" {
		t.Errorf("output directory (-want +got):\n%s", diff)
	}
}

func TestRunFailureLeavesNothing(t *testing.T) {
	in := t.TempDir()
	src := write(t, filepath.Join(in, "server"), "#!server\n")
	good := `{"entries": [{"path": "a", "kind": "file", "src": "` + src + `"}]}`
	tests := []struct {
		name      string
		entries   string
		epoch     string
		extra     []string
		wantErr   string
		wantUsage bool
	}{
		{name: "missing src", entries: `{"entries": [{"path": "a", "kind": "file", "src": "` + src + `"}, {"path": "b", "kind": "file", "src": "` + src + `.missing"}]}`, wantErr: `writing "b": opening src: stat ` + src + ".missing"},
		{name: "escaping path", entries: `{"entries": [{"path": "../a", "kind": "dir"}]}`, wantErr: `entry 0 (path "../a")`},
		{name: "unknown field", entries: `{"entries": [{"path": "a", "kind": "dir", "owner": "root"}]}`, wantErr: `unknown field "owner"`},
		{name: "bad epoch", entries: good, epoch: "yesterday", wantErr: `SOURCE_DATE_EPOCH="yesterday"`},
		{name: "bad compression", entries: good, extra: []string{"--compression", "xz"}, wantErr: `unknown compression "xz"`, wantUsage: true},
		{name: "level for none", entries: good, extra: []string{"--compression", "none", "--level", "3"}, wantErr: "compression none takes no level", wantUsage: true},
		{name: "gzip level", entries: good, extra: []string{"--level", "12"}, wantErr: "gzip level 12 is outside 0..9", wantUsage: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("SOURCE_DATE_EPOCH", tc.epoch)
			out := t.TempDir()
			entries := write(t, filepath.Join(t.TempDir(), "entries.json"), tc.entries)
			args := append([]string{"--entries", entries, "--output", filepath.Join(out, "blob"), "--descriptor", filepath.Join(out, "desc.json")}, tc.extra...)
			err := Run(context.Background(), args, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Run error = %v, want one containing %q", err, tc.wantErr)
			}
			var ue *cli.UsageError
			if got := errors.As(err, &ue); got != tc.wantUsage {
				t.Errorf("usage error: %t, want %t", got, tc.wantUsage)
			}
			if left := ls(t, out); len(left) != 0 {
				t.Errorf("failed run left %q", left)
			}
		})
	}
}
