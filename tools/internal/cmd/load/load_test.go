package load

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
)

func TestRunErrors(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	tests := []struct {
		name      string
		args      []string
		wantErr   string
		wantUsage bool
	}{
		{name: "no tarball", args: nil, wantErr: "missing required flag --tarball", wantUsage: true},
		{name: "bad runtime", args: []string{"--tarball", "x.tar", "--runtime", "rkt"}, wantErr: `--runtime "rkt"`, wantUsage: true},
		{name: "none found", args: []string{"--tarball", "x.tar"}, wantErr: "install podman or docker"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Run(context.Background(), tc.args, io.Discard, io.Discard)
			var ue *cli.UsageError
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || errors.As(err, &ue) != tc.wantUsage {
				t.Errorf("Run error = %v, want %q (usage error: %t)", err, tc.wantErr, tc.wantUsage)
			}
		})
	}
}
