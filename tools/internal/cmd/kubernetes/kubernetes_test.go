package kubernetes

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/kube"
)

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunWritesManifest(t *testing.T) {
	dir := t.TempDir()
	digestFile := writeFile(t, filepath.Join(dir, "image.digest"), digest+"\n")
	out := filepath.Join(dir, "kubernetes.yaml")
	args := []string{
		"--name", "hello", "--image", "registry.example.com/hello/flask", "--digest-file", digestFile,
		"--label", "tier=web", "--label", "team=hello", "--output", out,
	}
	if err := Run(context.Background(), args, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	o := kube.Defaults()
	o.Name, o.Repository, o.Digest = "hello", "registry.example.com/hello/flask", digest
	o.Labels = map[string]string{"tier": "web", "team": "hello"}
	want, err := kube.Manifest(o)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}

	// The written manifest passes --check, with and without the digest.
	for _, check := range [][]string{{"--check", out}, {"--check", out, "--digest-file", digestFile}} {
		var stdout, stderr bytes.Buffer
		if err := Run(context.Background(), check, &stdout, &stderr); err != nil {
			t.Fatalf("Run %v: %v\n%s", check, err, stderr.String())
		}
		if diff := cmp.Diff(out+": hardened\n", stdout.String()); diff != "" {
			t.Errorf("Run %v stdout (-want +got):\n%s", check, diff)
		}
	}
}

func TestRunCheckFindings(t *testing.T) {
	dir := t.TempDir()
	o := kube.Defaults()
	o.Name, o.Repository, o.Digest = "hello", "registry.example.com/hello/flask", digest
	good, err := kube.Manifest(o)
	if err != nil {
		t.Fatal(err)
	}
	weak := strings.NewReplacer(
		"readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false",
		"runAsNonRoot: true", "runAsNonRoot: false",
	).Replace(string(good))
	path := writeFile(t, filepath.Join(dir, "kubernetes.yaml"), weak)
	var stdout, stderr bytes.Buffer
	err = Run(context.Background(), []string{"--check", path}, &stdout, &stderr)
	var ue *cli.UsageError
	if err == nil || errors.As(err, &ue) {
		t.Fatalf("Run --check on a weak manifest = %v, want a failure", err)
	}
	want := []string{
		"distill kubernetes: " + path + ": Deployment hello: spec.template.spec.securityContext.runAsNonRoot: must be true: the kubelet then refuses to start the container as root",
		"distill kubernetes: " + path + ": Deployment hello: spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem: must be true: nothing can be written into the image at run time; mount an emptyDir where the app writes",
	}
	if diff := cmp.Diff(want, strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
	if !strings.Contains(err.Error(), "2 hardening setting(s) missing") {
		t.Errorf("error = %v, want the count", err)
	}
	if stdout.Len() > 0 {
		t.Errorf("stdout = %q, want nothing", stdout.String())
	}

	// Another digest than the one in the manifest.
	other := writeFile(t, filepath.Join(dir, "other.digest"), "sha256:"+strings.Repeat("f", 64)+"\n")
	goodPath := writeFile(t, filepath.Join(dir, "good.yaml"), string(good))
	stderr.Reset()
	if err := Run(context.Background(), []string{"--check", goodPath, "--digest-file", other}, io.Discard, &stderr); err == nil {
		t.Errorf("Run --check with another digest succeeded")
	}
	if !strings.Contains(stderr.String(), "is not the expected image sha256:ffff") {
		t.Errorf("stderr = %q, want the digest mismatch", stderr.String())
	}
}

// gen returns the flags of a good `distill kubernetes` run followed by extra;
// $DIGEST, $OUT and $DIR stand for the digest file, the output and the test's directory.
func gen(extra ...string) []string {
	return append([]string{"--name", "hello", "--image", "registry.example.com/hello/flask", "--digest-file", "$DIGEST", "--output", "$OUT"}, extra...)
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		digest    *string // content of $DIGEST; nil: a good digest
		wantUsage bool
		wantErr   string
	}{
		{name: "missing flags", args: []string{"--name", "hello"}, wantUsage: true, wantErr: "missing required flag --image, --digest-file, --output"},
		{name: "tag-only reference", args: gen("--image", "registry.example.com/hello/flask:latest"), wantUsage: true, wantErr: "names a tag"},
		{name: "user 0", args: gen("--user", "0"), wantUsage: true, wantErr: `user "0" is root`},
		{name: "user root", args: gen("--user", "root"), wantUsage: true, wantErr: "must be a numeric uid"},
		{name: "service type", args: gen("--service-type", "External"), wantUsage: true, wantErr: "service type"},
		{name: "port not a number", args: gen("--container-port", "http"), wantUsage: true, wantErr: "container-port"},
		{name: "port out of int32", args: gen("--service-port", "4294967296"), wantUsage: true, wantErr: "out of range"},
		{name: "label without value", args: gen("--label", "tier"), wantUsage: true, wantErr: `--label "tier": want KEY=VALUE`},
		{name: "check with generation flags", args: gen("--check", "$OUT"), wantUsage: true, wantErr: "--check takes --digest-file only"},
		{name: "bad digest file", args: gen(), digest: new("sha256:abc\n"), wantErr: `"sha256:abc" is not a digest`},
		{name: "empty digest file", args: gen(), digest: new(""), wantErr: `"" is not a digest`},
		{name: "no digest file", args: gen("--digest-file", "$DIR/nope.digest"), wantErr: "reading digest file"},
		{name: "check missing file", args: []string{"--check", "$DIR/nope.yaml"}, wantErr: "reading manifest"},
		{name: "check bad digest file", args: []string{"--check", "$DIGEST", "--digest-file", "$DIGEST"}, digest: new("latest\n"), wantErr: `"latest" is not a digest`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			digestFile := filepath.Join(dir, "image.digest")
			content := digest + "\n"
			if tc.digest != nil {
				content = *tc.digest
			}
			writeFile(t, digestFile, content)
			out := filepath.Join(dir, "kubernetes.yaml")
			r := strings.NewReplacer("$DIGEST", digestFile, "$OUT", out, "$DIR", dir)
			var args []string
			for _, a := range tc.args {
				args = append(args, r.Replace(a))
			}
			err := Run(context.Background(), args, io.Discard, io.Discard)
			var ue *cli.UsageError
			if err == nil || errors.As(err, &ue) != tc.wantUsage {
				t.Fatalf("Run %v = %v, want usage error: %t", args, err, tc.wantUsage)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Run error = %v, want %q", err, tc.wantErr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("failed run left files: %v", entries)
			}
		})
	}
}
