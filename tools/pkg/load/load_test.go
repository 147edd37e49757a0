package load

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakePATH sets PATH to a fresh directory holding an executable script for
// each name, which records its name and arguments in log and exits with
// the given status.
func fakePATH(t *testing.T, status int, names ...string) (log string) {
	t.Helper()
	dir := t.TempDir()
	log = filepath.Join(dir, "calls.log")
	for _, n := range names {
		script := "#!/bin/sh\necho \"" + n + " $*\" >> " + log + "\necho loaded " + n + "\nexit " + string(rune('0'+status)) + "\n"
		if err := os.WriteFile(filepath.Join(dir, n), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir)
	return log
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name      string
		installed []string
		runtime   string
		want      string // the call recorded, "" for an error
		wantErr   string
	}{
		{name: "auto prefers podman", installed: []string{"docker", "podman"}, runtime: "auto", want: "podman load -i img.tar\n"},
		{name: "auto falls back to docker", installed: []string{"docker"}, runtime: "auto", want: "docker load -i img.tar\n"},
		{name: "empty is auto", installed: []string{"podman"}, runtime: "", want: "podman load -i img.tar\n"},
		{name: "explicit docker", installed: []string{"docker", "podman"}, runtime: "docker", want: "docker load -i img.tar\n"},
		{name: "none found", runtime: "auto", wantErr: "neither podman nor docker found on PATH: install podman or docker"},
		{name: "explicit missing", installed: []string{"podman"}, runtime: "docker", wantErr: "docker not found on PATH: install docker, or use --runtime auto"},
		{name: "unknown runtime", installed: []string{"podman"}, runtime: "nerdctl", wantErr: `runtime "nerdctl": want auto, podman or docker`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			log := fakePATH(t, 0, tc.installed...)
			var stdout bytes.Buffer
			err := Load(context.Background(), tc.runtime, "img.tar", &stdout, &stdout)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("Load error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			calls, err := os.ReadFile(log)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(calls)); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(stdout.String(), "loaded ") {
				t.Errorf("runtime output not passed through: %q", stdout.String())
			}
		})
	}
}

func TestLoadFailure(t *testing.T) {
	fakePATH(t, 3, "podman")
	err := Load(context.Background(), "auto", "img.tar", &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "podman load -i img.tar: exit status 3") {
		t.Errorf("Load error = %v, want the exit status", err)
	}
}
