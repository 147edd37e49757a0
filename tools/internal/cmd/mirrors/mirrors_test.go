package mirrors

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
)

func TestRun(t *testing.T) {
	aptDir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(aptDir, "sources.list.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	sources := `Types: deb
URIs: http://mirror.test/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb
URIs: http://security.mirror.test/debian-security
Suites: bookworm-security
Components: main
`
	if err := os.WriteFile(filepath.Join(aptDir, "sources.list.d", "debian.sources"), []byte(sources), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		env        string
		wantStdout string
		wantErr    string
		wantUsage  bool
	}{
		{
			name:       "apt sources",
			args:       []string{"--apt-dir", aptDir},
			wantStdout: `{"debian":["http://mirror.test/debian"],"debian-security":["http://security.mirror.test/debian-security"]}` + "\n",
		},
		{
			name:       "flags and env first",
			args:       []string{"--apt-dir", aptDir, "--mirror", "debian=http://flag.test/debian/", "--mirror", "debian=http://flag2.test/debian"},
			env:        "debian-security=http://env.test/debian-security",
			wantStdout: `{"debian":["http://flag.test/debian","http://flag2.test/debian"],"debian-security":["http://env.test/debian-security"]}` + "\n",
		},
		{
			name:       "no apt",
			args:       []string{"--apt-dir", ""},
			wantStdout: "{}\n",
		},
		{
			name:      "bad flag",
			args:      []string{"--apt-dir", aptDir, "--mirror", "debian"},
			wantErr:   `--mirror "debian": want NAME=URL[,URL...]`,
			wantUsage: true,
		},
		{
			name:      "argument",
			args:      []string{"debian"},
			wantErr:   `unexpected argument "debian": every argument is a flag`,
			wantUsage: true,
		},
		{
			name:    "bad env",
			args:    []string{"--apt-dir", aptDir},
			env:     "debian",
			wantErr: `DISTILL_DEBIAN_MIRRORS: "debian": want NAME=URL[,URL...]`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("DISTILL_DEBIAN_MIRRORS", tc.env)
			var stdout bytes.Buffer
			err := Run(context.Background(), tc.args, &stdout, io.Discard)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("Run error:\n got %v\nwant %s", err, tc.wantErr)
				}
				var ue *cli.UsageError
				if got := errors.As(err, &ue); got != tc.wantUsage {
					t.Errorf("usage error: %t, want %t", got, tc.wantUsage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantStdout, stdout.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
		})
	}
}
