package push

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/internal/faultproxy"
	"github.com/rules-distill/rules_distill/tools/internal/faultproxy/realregistry"
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

// TestRunThroughFaults pushes to a real registry (distribution's `registry`,
// installed by tests/setup.sh) through a proxy that injects faults.
func TestRunThroughFaults(t *testing.T) {
	Options.Backoff = remote.Backoff{Duration: time.Millisecond, Factor: 2, Steps: 3}
	Options.Keychain = authn.NewMultiKeychain()
	img := testimage.New(t, layer.Gzip)
	want := img.Built.Descriptor.Manifest.Digest.String()
	reg := realregistry.Start(t)
	proxy, err := faultproxy.New("http://" + reg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()

	tests := []struct {
		name, schedule string
		wantErr        []string // nil: the push succeeds
		wantRetries    int
	}{
		{
			name:        "faults once",
			schedule:    "PATCH upload #1 after=10 reset; PUT manifest #1 503",
			wantRetries: 2,
		},
		{
			name:     "faults forever",
			schedule: "PATCH upload #1+ after=10 reset",
			wantErr:  []string{"uploading blob sha256:", "gave up after 3 attempts", "connection reset by peer"},
			// At least the blob that gave up was retried twice.
			wantRetries: 2,
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rules, err := faultproxy.ParseRules(tc.schedule)
			if err != nil {
				t.Fatal(err)
			}
			proxy.SetRules(rules...)
			repo := fmt.Sprintf("%s/run/case%d", proxy.Addr(), i)
			digestFile := filepath.Join(t.TempDir(), "pushed")
			var stdout, stderr bytes.Buffer
			err = Run(context.Background(), []string{"--layout", img.Layout, "--repository", repo, "--tag", "v1", "--digest-file", digestFile}, &stdout, &stderr)
			retries := strings.Count(stderr.String(), "failed, retrying in")
			if retries < tc.wantRetries {
				t.Errorf("stderr has %d retries, want at least %d:\n%s", retries, tc.wantRetries, &stderr)
			}
			code, _ := get(t, "http://"+reg.Addr+fmt.Sprintf("/v2/run/case%d/manifests/v1", i))
			if tc.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if got := stdout.String(); got != repo+"@"+want+"\n" {
					t.Errorf("stdout = %q, want %q", got, repo+"@"+want+"\n")
				}
				if data, err := os.ReadFile(digestFile); err != nil || string(data) != want+"\n" {
					t.Errorf("digest file = %q, %v; want %q", data, err, want+"\n")
				}
				if code != http.StatusOK {
					t.Errorf("GET the pushed tag from the registry = %d, want 200", code)
				}
				return
			}
			if err == nil {
				t.Fatal("push through endless faults succeeded")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "pushing "+repo+":v1: ") {
				t.Errorf("error %q is not one line starting with %q", msg, "pushing "+repo+":v1: ")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			if _, statErr := os.Stat(digestFile); !os.IsNotExist(statErr) || stdout.Len() != 0 {
				t.Errorf("failed push wrote a digest file (%v) or stdout %q", statErr, stdout.String())
			}
			if code != http.StatusNotFound {
				t.Errorf("GET the tag of a failed push from the registry = %d, want 404", code)
			}
		})
	}
}

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func TestRunRetryFlags(t *testing.T) {
	Options.Backoff = remote.Backoff{}
	Options.Keychain = authn.NewMultiKeychain()
	img := testimage.New(t, layer.Gzip)
	reg := realregistry.Start(t)
	proxy, err := faultproxy.New("http://"+reg.Addr, faultproxy.Rule{Method: http.MethodPut, Kind: faultproxy.Manifest, Count: faultproxy.Forever, Status: http.StatusServiceUnavailable})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	repo := proxy.Addr() + "/flags/app"
	tests := []struct {
		name      string
		args      []string
		wantErr   string
		wantPuts  int
		wantUsage bool
	}{
		{name: "two attempts", args: []string{"--attempts", "2", "--retry-wait", "1ms"}, wantErr: "gave up after 2 attempts", wantPuts: 2},
		{name: "one attempt", args: []string{"--attempts=1"}, wantErr: "gave up after 1 attempt in", wantPuts: 1},
		{name: "no attempt", args: []string{"--attempts", "0"}, wantErr: "--attempts 0: give 1 or more", wantUsage: true},
		{name: "no wait", args: []string{"--retry-wait", "0s"}, wantErr: "--retry-wait 0s: give a positive duration", wantUsage: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			proxy.Take()
			args := append([]string{"--layout", img.Layout, "--repository", repo, "--tag", "v1"}, tc.args...)
			err := Run(context.Background(), args, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Run(%q) = %v, want an error containing %q", tc.args, err, tc.wantErr)
			}
			var usage *cli.UsageError
			if errors.As(err, &usage) != tc.wantUsage {
				t.Errorf("Run(%q) = %v: usage error %v, want %v", tc.args, err, !tc.wantUsage, tc.wantUsage)
			}
			puts := 0
			for _, r := range proxy.Take() {
				if r.Method == http.MethodPut && r.Kind == faultproxy.Manifest {
					puts++
				}
			}
			if puts != tc.wantPuts {
				t.Errorf("Run(%q) put the manifest %d times, want %d", tc.args, puts, tc.wantPuts)
			}
		})
	}
}
