package push_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/rules-distill/rules_distill/tools/internal/testimage"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
	"github.com/rules-distill/rules_distill/tools/pkg/push"
)

var fast = push.Options{
	Backoff:  remote.Backoff{Duration: time.Millisecond, Factor: 1, Steps: 3},
	Keychain: authn.NewMultiKeychain(), // no credentials, whatever the machine has
}

// counter wraps a registry and counts its requests by "METHOD kind".
type counter struct {
	next http.Handler
	// fail, when set, answers a request with a status instead of the registry.
	fail func(r *http.Request) int

	mu    sync.Mutex
	count map[string]int
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind := "other"
	switch {
	case strings.Contains(r.URL.Path, "/blobs/uploads/"):
		kind = "upload"
	case strings.Contains(r.URL.Path, "/blobs/"):
		kind = "blob"
	case strings.Contains(r.URL.Path, "/manifests/"):
		kind = "manifest"
	}
	c.mu.Lock()
	c.count[r.Method+" "+kind]++
	c.mu.Unlock()
	if c.fail != nil {
		if code := c.fail(r); code != 0 {
			w.WriteHeader(code)
			return
		}
	}
	c.next.ServeHTTP(w, r)
}

func (c *counter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	got := c.count
	c.count = map[string]int{}
	return got
}

func serve(t *testing.T) (*counter, string) {
	t.Helper()
	c := &counter{next: registry.New(registry.Logger(log.New(io.Discard, "", 0))), count: map[string]int{}}
	srv := httptest.NewServer(c) // listens on 127.0.0.1: plain HTTP
	t.Cleanup(srv.Close)
	return c, strings.TrimPrefix(srv.URL, "http://")
}

func uploads(count map[string]int) int {
	return count["POST upload"] + count["PATCH upload"] + count["PUT upload"]
}

func TestPush(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	reg, host := serve(t)
	repo := host + "/distill/app"
	want := img.Built.Descriptor.Manifest.Digest

	got, err := push.Push(context.Background(), img.Layout, repo, []string{"v1", "latest"}, fast)
	if err != nil {
		t.Fatal(err)
	}
	if got.DigestStr() != want.String() || got.Context().String() != repo {
		t.Errorf("Push = %s, want %s@%s", got, repo, want)
	}
	// Two layers and a config.
	if n := uploads(reg.take()); n == 0 {
		t.Errorf("first push uploaded nothing")
	}
	for _, ref := range []string{repo + ":v1", repo + ":latest", repo + "@" + want.String()} {
		r, err := name.ParseReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		pushed, err := remote.Image(r)
		if err != nil {
			t.Fatalf("pulling %s: %v", ref, err)
		}
		d, err := pushed.Digest()
		if err != nil {
			t.Fatal(err)
		}
		if d != want {
			t.Errorf("%s has digest %s, want %s", ref, d, want)
		}
		if err := validate.Image(pushed); err != nil {
			t.Errorf("validate.Image(%s): %v", ref, err)
		}
	}
	reg.take()

	if _, err := push.Push(context.Background(), img.Layout, repo, []string{"v2"}, fast); err != nil {
		t.Fatal(err)
	}
	count := reg.take()
	if n := uploads(count); n != 0 {
		t.Errorf("second push made %d upload requests, want 0 (requests: %v)", n, count)
	}
	if count["HEAD blob"] != 3 {
		t.Errorf("second push checked %d blobs, want 3 (requests: %v)", count["HEAD blob"], count)
	}
}

func TestPushByDigest(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	_, host := serve(t)
	repo := host + "/by/digest"
	got, err := push.Push(context.Background(), img.Layout, repo, nil, fast)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Head(got); err != nil {
		t.Errorf("HEAD %s: %v", got, err)
	}
	tags, err := remote.List(got.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) != 0 {
		t.Errorf("push by digest made tags %q", tags)
	}
}

func TestPushRetriesTransientFailures(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	reg, host := serve(t)
	var mu sync.Mutex
	failed := map[string]bool{}
	// The first request of each kind that writes fails with 503.
	reg.fail = func(r *http.Request) int {
		if r.Method != http.MethodPut && r.Method != http.MethodPost {
			return 0
		}
		mu.Lock()
		defer mu.Unlock()
		key := fmt.Sprint(r.Method, strings.Contains(r.URL.Path, "/manifests/"))
		if failed[key] {
			return 0
		}
		failed[key] = true
		return http.StatusServiceUnavailable
	}
	got, err := push.Push(context.Background(), img.Layout, host+"/retry", []string{"v1"}, fast)
	if err != nil {
		t.Fatalf("Push with transient 503s: %v", err)
	}
	if d := got.DigestStr(); d != img.Built.Descriptor.Manifest.Digest.String() {
		t.Errorf("digest = %s", d)
	}
	if diff := cmp.Diff(map[string]bool{"POSTfalse": true, "PUTfalse": true, "PUTtrue": true}, failed); diff != "" {
		t.Errorf("injected failures (-want +got):\n%s", diff)
	}
}

func TestPushErrors(t *testing.T) {
	img := testimage.New(t, layer.Gzip)
	reg, host := serve(t)
	reg.fail = func(r *http.Request) int {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
			return http.StatusForbidden
		}
		return 0
	}
	tests := []struct {
		name, layout, repo string
		tags               []string
		wantErr            string
	}{
		{name: "bad repository", layout: img.Layout, repo: "Not A Repo", wantErr: `repository "Not A Repo"`},
		{name: "bad tag", layout: img.Layout, repo: host + "/x", tags: []string{"no/slash"}, wantErr: `tag "no/slash"`},
		{name: "no layout", layout: t.TempDir(), repo: host + "/x", wantErr: "reading layout"},
		{name: "registry refuses", layout: img.Layout, repo: host + "/x", tags: []string{"v1"}, wantErr: "pushing " + host + "/x:v1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := push.Push(context.Background(), tc.layout, tc.repo, tc.tags, fast)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Push error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}
