package check

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/internal/testimage"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
)

func TestRun(t *testing.T) {
	// The test image: User 65532, Entrypoint /app/server, a script ("#!/bin/server") whose
	// interpreter the image lacks, /usr/bin/server → /app/server, /etc/app/config.yaml.
	img := testimage.New(t, layer.Gzip)
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec.yaml")
	err := os.WriteFile(spec, []byte(`
files:
  - {path: /etc/app/config.yaml, mode: "0644", contains: ["port: 8080"]}
  - {path: /usr/bin/server, target: /app/server}
config:
  user: "65532"
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	badSpec := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badSpec, []byte("config: {user: \"0\", workdir: /srv}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	entrypoint := `entrypoint config.Entrypoint: the script "/app/server" (/app/server) needs the interpreter "/bin/server", which the image does not have; fix: make the entrypoint the interpreter itself with the script as argument, e.g. ["/usr/bin/python3", "/app/main.py"], or add the interpreter`
	tests := []struct {
		name    string
		args    []string
		want    []string
		wantErr error
	}{
		{
			name:    "the script entrypoint is a finding",
			args:    []string{"--layout", img.Layout, "--nonroot", "--spec", spec},
			want:    []string{entrypoint, "1 findings, 0 waived, 3 assertions"},
			wantErr: ErrFindings,
		},
		{
			name: "waived with a reason",
			args: []string{"--layout", img.Layout, "--nonroot", "--spec", spec, "--waive", "entrypoint=the test image's server is a stand-in"},
			want: []string{
				`waived entrypoint config.Entrypoint: the script "/app/server" (/app/server) needs the interpreter "/bin/server", which the image does not have (waiver "entrypoint": the test image's server is a stand-in)`,
				"0 findings, 1 waived, 3 assertions",
			},
		},
		{
			name: "stale waiver and failed assertions",
			args: []string{"--layout", img.Layout, "--spec", badSpec, "--waive", "entrypoint=stand-in", "--waive", "setuid:/usr/bin/*=ping"},
			want: []string{
				`waived entrypoint config.Entrypoint: the script "/app/server" (/app/server) needs the interpreter "/bin/server", which the image does not have (waiver "entrypoint": stand-in)`,
				`stale-waiver setuid:/usr/bin/*: the waiver ("ping") accepts no finding: the image no longer has what it excuses; fix: remove "setuid:/usr/bin/*" from waive`,
				`spec config.User: must be "0", is "65532"; fix: set user = "0" on the image`,
				`spec config.WorkingDir: must be "/srv", is ""; fix: set workdir = "/srv" on the image`,
				"3 findings, 1 waived, 2 assertions",
			},
			wantErr: ErrFindings,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := Run(context.Background(), tc.args, &stdout, &stderr)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Run: %v, want %v", err, tc.wantErr)
			}
			got := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunUsage(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{}, "missing required flag --layout"},
		{[]string{"--layout", img.Layout, "--waive", "shell"}, "want RULE=REASON"},
		{[]string{"--layout", img.Layout, "--waive", "shel=x"}, `unknown rule "shel"`},
		{[]string{"--layout", img.Layout, "--waive", "shell=a", "--waive", "shell=b"}, "waived twice"},
	}
	for _, tc := range tests {
		err := Run(context.Background(), tc.args, &bytes.Buffer{}, &bytes.Buffer{})
		var ue *cli.UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Run(%q) = %v, want a usage error with %q", tc.args, err, tc.want)
		}
	}
}
