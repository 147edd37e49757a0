package push

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/rules-distill/rules_distill/tools/internal/testimage"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
)

func TestRun(t *testing.T) {
	Options.Backoff = remote.Backoff{Duration: time.Millisecond, Factor: 1, Steps: 2}
	Options.Keychain = authn.NewMultiKeychain()
	img := testimage.New(t, layer.Gzip)
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	repo := strings.TrimPrefix(srv.URL, "http://") + "/distill/app"
	digestFile := filepath.Join(t.TempDir(), "pushed")

	var stdout bytes.Buffer
	err := Run(context.Background(), []string{"--layout", img.Layout, "--repository", repo, "--tag", "v1", "--digest-file", digestFile}, &stdout, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := img.Built.Descriptor.Manifest.Digest.String()
	if got := stdout.String(); got != repo+"@"+want+"\n" {
		t.Errorf("stdout = %q, want %q", got, repo+"@"+want+"\n")
	}
	data, err := os.ReadFile(digestFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != want+"\n" {
		t.Errorf("digest file = %q, want %q", data, want+"\n")
	}

	srv.Close()
	stdout.Reset()
	digestFile2 := filepath.Join(t.TempDir(), "pushed")
	err = Run(context.Background(), []string{"--layout", img.Layout, "--repository", repo, "--digest-file", digestFile2}, &stdout, io.Discard)
	if err == nil {
		t.Fatal("push to a stopped registry succeeded")
	}
	if _, statErr := os.Stat(digestFile2); !os.IsNotExist(statErr) || stdout.Len() != 0 {
		t.Errorf("failed push wrote a digest file or stdout %q", stdout.String())
	}
}
