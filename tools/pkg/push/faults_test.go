package push_test

// Pushes to a real registry (distribution's `registry` binary, installed by
// tests/setup.sh) through a proxy that resets connections and answers 5xx
// mid-upload (tools/internal/faultproxy).

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/logs"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/rules-distill/rules_distill/tools/internal/faultproxy"
	"github.com/rules-distill/rules_distill/tools/internal/faultproxy/realregistry"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/image"
	"github.com/rules-distill/rules_distill/tools/pkg/index"
	"github.com/rules-distill/rules_distill/tools/pkg/index/indextest"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
	"github.com/rules-distill/rules_distill/tools/pkg/layout"
	"github.com/rules-distill/rules_distill/tools/pkg/push"
)

// steps is how many times each blob and manifest is tried in these tests;
// the backoff is short so that the tests stay fast.
const steps = 8

var faulty = push.Options{
	Backoff:  remote.Backoff{Duration: 2 * time.Millisecond, Factor: 1.5, Steps: steps},
	Keychain: authn.NewMultiKeychain(),
}

// built is an image built by the distill pipeline into an OCI layout.
type built struct {
	layout   string
	digest   v1.Hash
	manifest []byte
	layers   []v1.Hash
	config   v1.Hash
}

// layerSize is large enough for a connection to break mid-body.
const layerSize = 192 << 10

// buildImage builds an image of one layer per seed, each holding one file of
// layerSize random (incompressible) bytes drawn from that seed: images built
// with a seed in common share that layer.
func buildImage(t *testing.T, seeds ...uint64) built {
	t.Helper()
	dir := t.TempDir()
	created := time.Unix(1700000000, 0).UTC()
	var descs []descriptor.Layer
	var blobs []string
	for _, seed := range seeds {
		data := make([]byte, layerSize)
		r := rand.New(rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}))
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		src := filepath.Join(dir, fmt.Sprintf("data%d", seed))
		if err := os.WriteFile(src, data, 0o644); err != nil {
			t.Fatal(err)
		}
		blob := filepath.Join(dir, fmt.Sprintf("layer%d", seed))
		f, err := os.Create(blob)
		if err != nil {
			t.Fatal(err)
		}
		d, err := layer.Write(f, []layer.Entry{{Path: fmt.Sprintf("data/%d", seed), Kind: layer.File, Src: src}},
			layer.Options{Compression: layer.Gzip, Level: layer.Gzip.DefaultLevel(), ModTime: created})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		descs = append(descs, d)
		blobs = append(blobs, blob)
	}
	img, err := image.Build(image.Spec{Entrypoint: []string{"/data"}, OS: "linux", Architecture: "amd64"}, nil, descs, created)
	if err != nil {
		t.Fatal(err)
	}
	out := built{layout: filepath.Join(dir, "layout"), digest: img.Descriptor.Manifest.Digest, manifest: img.Manifest}
	if err := layout.Write(out.layout, layout.Input{Image: img.Descriptor, Config: img.Config, Manifest: img.Manifest, Blobs: blobs, RefName: "distill.test/faults:latest"}); err != nil {
		t.Fatal(err)
	}
	for _, d := range descs {
		out.layers = append(out.layers, d.Digest)
	}
	m, err := v1.ParseManifest(bytes.NewReader(img.Manifest))
	if err != nil {
		t.Fatal(err)
	}
	out.config = m.Config.Digest
	return out
}

// setup starts a real registry and a fault proxy in front of it.
func setup(t *testing.T) (*realregistry.Registry, *faultproxy.Proxy) {
	t.Helper()
	reg := realregistry.Start(t)
	proxy, err := faultproxy.New("http://" + reg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	return reg, proxy
}

// captureWarnings collects what push logs (its retries) during the test.
func captureWarnings(t *testing.T) *bytes.Buffer {
	var buf bytes.Buffer
	logs.Warn.SetOutput(&buf)
	t.Cleanup(func() { logs.Warn.SetOutput(io.Discard) })
	return &buf
}

// registryGet GETs path from the registry itself, not through the proxy.
func registryGet(t *testing.T, reg *realregistry.Registry, path string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+reg.Addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json")
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

// checkPushed reads the image back from the registry itself: its manifest
// must be the built one, byte for byte, and every blob must be there with
// its digest.
func checkPushed(t *testing.T, reg *realregistry.Registry, repo, tag string, img built) {
	t.Helper()
	code, body := registryGet(t, reg, "/v2/"+repo+"/manifests/"+tag)
	if code != http.StatusOK {
		t.Fatalf("GET %s:%s from the registry = %d %s", repo, tag, code, body)
	}
	if !bytes.Equal(body, img.manifest) {
		t.Errorf("the registry's manifest of %s:%s differs from the built one:\n got %s\nwant %s", repo, tag, body, img.manifest)
	}
	ref, err := name.ParseReference(reg.Addr + "/" + repo + ":" + tag)
	if err != nil {
		t.Fatal(err)
	}
	pulled, err := remote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := pulled.Digest(); err != nil || d != img.digest {
		t.Errorf("the registry's %s has digest %s (%v), want the built %s", ref, d, err, img.digest)
	}
	if err := validate.Image(pulled); err != nil { // reads every blob back
		t.Errorf("validate.Image(%s): %v", ref, err)
	}
}

// faults lists the faults the proxy injected, by rule.
func faults(records []faultproxy.Record) map[string]int {
	got := map[string]int{}
	for _, r := range records {
		if r.Fault != "" {
			got[r.Fault]++
		}
	}
	return got
}

// checkOrder checks that no manifest was put before the last blob upload
// request was answered: a tag never names a partial image.
func checkOrder(t *testing.T, records []faultproxy.Record) {
	t.Helper()
	lastUpload, firstManifest := -1, -1
	for i, r := range records {
		switch {
		case r.Kind == faultproxy.Upload:
			lastUpload = i
		case r.Kind == faultproxy.Manifest && r.Method == http.MethodPut && firstManifest < 0:
			firstManifest = i
		}
	}
	if firstManifest >= 0 && firstManifest < lastUpload {
		t.Errorf("manifest PUT (request %d) before the last blob upload request (%d)", firstManifest, lastUpload)
	}
}

// writes counts, per blob digest, the requests that upload it.
func writes(records []faultproxy.Record) map[string]int {
	got := map[string]int{}
	for _, r := range records {
		if r.Kind == faultproxy.Upload {
			got[r.Digest]++
		}
	}
	return got
}

func TestPushThroughFaults(t *testing.T) {
	reg, proxy := setup(t)
	img := buildImage(t, 1, 2, 3)
	tests := []struct {
		name, schedule string
	}{
		{"reset mid blob upload", "PATCH upload #1 after=65536 reset"},
		{"503 mid blob upload", "PATCH upload #2 after=100000 503"},
		{"reset before a blob is committed", "PUT upload #1 reset"},
		{"reset after a blob is committed", "PUT upload #2 after=1 reset"},
		{"500 on a blob HEAD", "HEAD blob #1 500"},
		{"500 on starting an upload", "POST upload #1-2 500"},
		{"503 on the first manifest PUT", "PUT manifest #1 503"},
		{"reset during the manifest PUT", "PUT manifest #1 after=100 reset"},
		{"reset on the first request", "GET ping #1 reset"},
		{"429 on a blob HEAD", "HEAD blob #2 429"},
		{
			"faults of every kind",
			"POST upload #1 502; PATCH upload #1-2 after=32768 reset; PATCH upload #3 after=150000 500; " +
				"PUT upload #2 504; HEAD blob #3 500; PUT manifest #1 503",
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			warnings := captureWarnings(t)
			rules, err := faultproxy.ParseRules(tc.schedule)
			if err != nil {
				t.Fatal(err)
			}
			proxy.SetRules(rules...)
			proxy.Take()
			repo := fmt.Sprintf("faults/case%d", i)
			got, err := push.Push(context.Background(), img.layout, proxy.Addr()+"/"+repo, []string{"v1"}, faulty)
			if err != nil {
				t.Fatalf("Push through %q: %v", tc.schedule, err)
			}
			if got.DigestStr() != img.digest.String() {
				t.Errorf("Push = %s, want the built %s", got.DigestStr(), img.digest)
			}
			// Every fault of the schedule happened: the push got through them.
			records := proxy.Take()
			checkOrder(t, records)
			injected := faults(records)
			for _, r := range rules {
				if injected[r.String()] == 0 {
					t.Errorf("fault %q never happened (injected: %v)", r, injected)
				}
			}
			// Each fault cost an attempt that push retried, except a reset
			// GET or HEAD on a reused connection, which Go's HTTP client
			// sends again by itself.
			n := 0
			for _, r := range records {
				if r.Fault != "" && (r.Status != 0 || (r.Method != http.MethodGet && r.Method != http.MethodHead)) {
					n++
				}
			}
			if retries := strings.Count(warnings.String(), "retrying in"); retries < n {
				t.Errorf("%d faults but %d retries logged:\n%s", n, retries, warnings)
			}
			checkPushed(t, reg, repo, "v1", img)
		})
	}
}

func TestPushUploadsOnlyMissingBlobs(t *testing.T) {
	reg, proxy := setup(t)
	first := buildImage(t, 1, 2)
	second := buildImage(t, 1, 2, 4) // shares two layers with first
	repo := "faults/shared"
	if _, err := push.Push(context.Background(), first.layout, proxy.Addr()+"/"+repo, []string{"v1"}, faulty); err != nil {
		t.Fatal(err)
	}
	proxy.Take()

	// A HEAD that fails once must not make the blob look missing.
	proxy.SetRules(faultproxy.Rule{Method: http.MethodHead, Kind: faultproxy.Blob, Status: http.StatusInternalServerError})
	if _, err := push.Push(context.Background(), second.layout, proxy.Addr()+"/"+repo, []string{"v2"}, faulty); err != nil {
		t.Fatal(err)
	}
	records := proxy.Take()
	heads := map[string]int{}
	for _, r := range records {
		if r.Method == http.MethodHead && r.Kind == faultproxy.Blob {
			heads[r.Digest]++
		}
	}
	// The shared layers are checked and not uploaded; the new layer and
	// config are uploaded once each: one POST, one PATCH, one PUT.
	wantWrites := map[string]int{second.layers[2].String(): 3, second.config.String(): 3}
	if diff := cmp.Diff(wantWrites, writes(records)); diff != "" {
		t.Errorf("upload requests per blob (-want +got):\n%s", diff)
	}
	for _, d := range []v1.Hash{second.layers[0], second.layers[1], second.layers[2], second.config} {
		if heads[d.String()] == 0 {
			t.Errorf("blob %s was not checked with a HEAD (HEADs: %v)", d, heads)
		}
	}
	if n := faults(records)["HEAD blob #1 500"]; n != 1 {
		t.Errorf("the HEAD fault happened %d times, want 1", n)
	}
	checkPushed(t, reg, repo, "v1", first)
	checkPushed(t, reg, repo, "v2", second)

	// Once more: nothing is uploaded, every blob is checked once.
	proxy.SetRules()
	if _, err := push.Push(context.Background(), second.layout, proxy.Addr()+"/"+repo, []string{"v3"}, faulty); err != nil {
		t.Fatal(err)
	}
	records = proxy.Take()
	if w := writes(records); len(w) != 0 {
		t.Errorf("a push of an image the registry has made upload requests: %v", w)
	}
	heads = map[string]int{}
	for _, r := range records {
		if r.Method == http.MethodHead && r.Kind == faultproxy.Blob {
			heads[r.Digest]++
		}
	}
	wantHeads := map[string]int{}
	for _, d := range append(second.layers, second.config) {
		wantHeads[d.String()] = 1
	}
	if diff := cmp.Diff(wantHeads, heads); diff != "" {
		t.Errorf("HEADs per blob (-want +got):\n%s", diff)
	}
}

func TestPushGivesUp(t *testing.T) {
	reg, proxy := setup(t)
	img := buildImage(t, 5, 6)
	tests := []struct {
		name, schedule string
		// wantErr are substrings of the error, after "pushing HOST/REPO:v1: ".
		wantErr []string
		// maxFaults bounds the faulted requests: attempts are bounded.
		maxFaults int
		// manifestPuts is how many manifest PUTs reached the proxy.
		manifestPuts int
	}{
		{
			name:      "blob uploads answer 503",
			schedule:  "PATCH upload #1+ after=4096 503",
			wantErr:   []string{"uploading blob sha256:", fmt.Sprintf("gave up after %d attempts", steps), "503 Service Unavailable"},
			maxFaults: steps * 3, // two layers and the config
		},
		{
			name:      "connections reset",
			schedule:  "PATCH upload #1+ after=4096 reset",
			wantErr:   []string{"uploading blob sha256:", fmt.Sprintf("gave up after %d attempts", steps), "connection reset by peer"},
			maxFaults: steps * 3,
		},
		{
			name:         "manifest PUTs answer 503",
			schedule:     "PUT manifest #1+ 503",
			wantErr:      []string{"putting the manifest as ", fmt.Sprintf("gave up after %d attempts", steps), "503 Service Unavailable"},
			maxFaults:    steps,
			manifestPuts: steps,
		},
		{
			name:         "a refusal is not retried",
			schedule:     "PUT manifest #1+ 403",
			wantErr:      []string{"putting the manifest as ", "not retried", "at attempt 1:", "403 Forbidden"},
			maxFaults:    1,
			manifestPuts: 1,
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			captureWarnings(t)
			rules, err := faultproxy.ParseRules(tc.schedule)
			if err != nil {
				t.Fatal(err)
			}
			proxy.SetRules(rules...)
			proxy.Take()
			repo := fmt.Sprintf("giveup/case%d", i)
			target := proxy.Addr() + "/" + repo + ":v1"
			_, err = push.Push(context.Background(), img.layout, proxy.Addr()+"/"+repo, []string{"v1"}, faulty)
			if err == nil {
				t.Fatalf("Push through %q succeeded", tc.schedule)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "pushing "+target+": ") || strings.Contains(msg, "\n") {
				t.Errorf("error %q is not one line starting with %q", msg, "pushing "+target+": ")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not say %q", msg, want)
				}
			}
			records := proxy.Take()
			n := faults(records)[rules[0].String()]
			if n == 0 || n > tc.maxFaults {
				t.Errorf("%d requests faulted, want 1 to %d", n, tc.maxFaults)
			}
			// A blob that cannot be uploaded stops the push before the manifest.
			puts := 0
			for _, r := range records {
				if r.Kind == faultproxy.Manifest && r.Method == http.MethodPut {
					puts++
				}
			}
			if puts != tc.manifestPuts {
				t.Errorf("%d manifest PUTs, want %d", puts, tc.manifestPuts)
			}
			// No tag and no manifest: the registry holds no partial image.
			for _, ref := range []string{"v1", img.digest.String()} {
				if code, body := registryGet(t, reg, "/v2/"+repo+"/manifests/"+ref); code != http.StatusNotFound {
					t.Errorf("GET /v2/%s/manifests/%s = %d %s, want 404", repo, ref, code, body)
				}
			}
		})
	}
}

func TestPushStopsWhenCanceled(t *testing.T) {
	_, proxy := setup(t)
	captureWarnings(t)
	img := buildImage(t, 7)
	proxy.SetRules(faultproxy.Rule{Method: http.MethodPatch, Count: faultproxy.Forever, Status: http.StatusServiceUnavailable})
	slow := faulty
	slow.Backoff = remote.Backoff{Duration: time.Minute, Factor: 2, Steps: 5}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := push.Push(ctx, img.layout, proxy.Addr()+"/canceled", []string{"v1"}, slow)
	if err == nil || !strings.Contains(err.Error(), "stopped (context deadline exceeded) after 1 attempt") {
		t.Errorf("Push = %v, want it stopped by the context after 1 attempt", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("Push took %s after its context ended", took)
	}
}

// An image index goes through the same retried steps: each image's blobs,
// its manifest by digest, and the index (so the tag) last.
func TestPushIndexThroughFaults(t *testing.T) {
	reg, proxy := setup(t)
	images := indextest.Images(t, indextest.AMD64, indextest.ARM64)
	dir := filepath.Join(t.TempDir(), "index")
	res, err := index.Write(dir, index.Input{Images: images, RefName: "latest"})
	if err != nil {
		t.Fatal(err)
	}
	const schedule = "PATCH upload #1 after=100 reset; PUT upload #2 503; PUT manifest #1 503; PUT manifest #3 after=10 reset"
	rules, err := faultproxy.ParseRules(schedule)
	if err != nil {
		t.Fatal(err)
	}
	captureWarnings(t)
	proxy.SetRules(rules...)
	proxy.Take()
	got, err := push.Push(context.Background(), dir, proxy.Addr()+"/faults/index", []string{"v1"}, faulty)
	if err != nil {
		t.Fatalf("Push of an index through %q: %v", schedule, err)
	}
	if got.DigestStr() != res.Descriptor.Digest.String() {
		t.Errorf("Push = %s, want the index %s", got.DigestStr(), res.Descriptor.Digest)
	}
	records := proxy.Take()
	if got := faults(records); len(got) != len(rules) {
		t.Errorf("faults injected %v, want one of each rule of %q", got, schedule)
	}
	// The index manifest is the last manifest put: its tag never names an
	// index whose images are missing.
	var puts []string
	for _, r := range records {
		if r.Kind == faultproxy.Manifest && r.Method == http.MethodPut && r.Fault == "" {
			puts = append(puts, r.Path)
		}
	}
	if len(puts) != 3 || !strings.HasSuffix(puts[2], "/manifests/v1") {
		t.Errorf("manifest PUTs %v: want the two images by digest, then the index as v1", puts)
	}
	ref, err := name.ParseReference(reg.Addr + "/faults/index:v1")
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(ref)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := idx.Digest(); err != nil || d != res.Descriptor.Digest {
		t.Errorf("the registry's index is %s (%v), want %s", d, err, res.Descriptor.Digest)
	}
	if err := validate.Index(idx); err != nil { // reads every image and blob back
		t.Errorf("validate.Index(%s): %v", ref, err)
	}
}
