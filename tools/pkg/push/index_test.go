package push

import (
	"context"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/rules-distill/rules_distill/tools/pkg/index"
	"github.com/rules-distill/rules_distill/tools/pkg/index/indextest"
	"github.com/rules-distill/rules_distill/tools/pkg/layout"
)

func TestPushIndex(t *testing.T) {
	images := indextest.Images(t, indextest.AMD64, indextest.ARM64)
	dir := filepath.Join(t.TempDir(), "index")
	res, err := index.Write(dir, index.Input{Images: images, RefName: "latest"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	repo := strings.TrimPrefix(srv.URL, "http://") + "/distill/multi"
	opts := Options{Backoff: remote.Backoff{Duration: time.Millisecond, Factor: 1, Steps: 2}, Keychain: authn.NewMultiKeychain()}

	// Push takes an index layout too (distill push, the .push targets).
	got, err := Push(context.Background(), dir, repo, []string{"v1", "v2"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(repo+"@"+res.Descriptor.Digest.String(), got.String()); diff != "" {
		t.Errorf("pushed reference (-want +got):\n%s", diff)
	}
	for _, tag := range []string{"v1", "v2"} {
		ref, _ := name.ParseReference(repo + ":" + tag)
		idx, err := remote.Index(ref, remote.WithAuthFromKeychain(opts.Keychain))
		if err != nil {
			t.Fatal(err)
		}
		if d, _ := idx.Digest(); d != res.Descriptor.Digest {
			t.Errorf("%s is %s, want the index %s", tag, d, res.Descriptor.Digest)
		}
		if err := validate.Index(idx); err != nil {
			t.Errorf("validate.Index of %s: %v", tag, err)
		}
	}
	// Each platform reads back as the image of its own layout.
	for _, img := range images {
		want, _, err := layout.ReadImage(img.Layout)
		if err != nil {
			t.Fatal(err)
		}
		wantDigest, _ := want.Digest()
		ref, _ := name.ParseReference(repo + ":v1")
		p := img.Platform
		desc, err := remote.Get(ref, remote.WithPlatform(p))
		if err != nil {
			t.Fatal(err)
		}
		pulled, err := desc.Image()
		if err != nil {
			t.Fatal(err)
		}
		if d, _ := pulled.Digest(); d != wantDigest {
			t.Errorf("%s/%s/%s pulls %s, want %s", p.OS, p.Architecture, p.Variant, d, wantDigest)
		}
	}

	// By digest only, to a second repository: the index and its images arrive.
	repo2 := strings.TrimPrefix(srv.URL, "http://") + "/distill/bydigest"
	got, err = PushIndex(context.Background(), dir, repo2, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Index(got); err != nil {
		t.Errorf("index pushed by digest: %v", err)
	}

	// An image layout is not an index layout.
	if _, err := PushIndex(context.Background(), images[0].Layout, repo, nil, opts); err == nil || !strings.Contains(err.Error(), "must name one image index") {
		t.Errorf("PushIndex of an image layout: error %v", err)
	}
	srv.Close()
	if _, err := Push(context.Background(), dir, repo, nil, opts); err == nil {
		t.Error("push of the index to a stopped registry succeeded")
	}
}
