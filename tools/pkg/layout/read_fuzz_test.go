package layout_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rules-distill/rules_distill/tools/pkg/layout"
	"github.com/rules-distill/rules_distill/tools/pkg/tarball"
)

// The fuzzed index, manifest and config name blobs by these placeholders;
// the harness replaces them with the real digests and sizes, so mutations
// of the JSON reach the parsers instead of stopping at a digest mismatch.
const (
	fuzzIndex    = `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"@MANIFEST@","size":@MANIFEST_SIZE@,"annotations":{"org.opencontainers.image.ref.name":"app:latest"}}]}`
	fuzzManifest = `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"@CONFIG@","size":@CONFIG_SIZE@},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"@LAYER@","size":@LAYER_SIZE@}]}`
	fuzzConfig   = `{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["@DIFF_ID@"]},"config":{"Entrypoint":["/app"],"User":"65532"}}`
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

func fill(template string, digest, size, digestValue string, blob []byte) string {
	r := strings.NewReplacer("@"+digest+"@", digestValue, "@"+size+"@", strconv.Itoa(len(blob)))
	return r.Replace(template)
}

func gzipTar(f *testing.F) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	tw.WriteHeader(&tar.Header{Name: "app", Mode: 0o755, Size: 3, Typeflag: tar.TypeReg})
	tw.Write([]byte("hi\n"))
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

// FuzzReadImage writes an OCI layout from fuzzed index.json, manifest,
// config and layer blob (blobs stored under their real digests), reads it
// with ReadImage and turns it into a docker-archive with tarball.Write: an
// accepted image gives consistent sizes and digests, a refused one a
// one-line error and no docker-archive file.
func FuzzReadImage(f *testing.F) {
	f.Add(fuzzIndex, fuzzManifest, fuzzConfig, gzipTar(f))
	f.Add(fuzzIndex, strings.Replace(fuzzManifest, `,"size":@LAYER_SIZE@`, `,"size":99999999999`, 1), fuzzConfig, gzipTar(f))
	f.Add(fuzzIndex, strings.Replace(fuzzManifest, `@LAYER@`, `sha256:../../../etc/passwd`, 1), fuzzConfig, gzipTar(f))
	f.Add(strings.Replace(fuzzIndex, "manifest.v1", "index.v1", 1), fuzzManifest, fuzzConfig, gzipTar(f))
	f.Add(`{"schemaVersion":2,"manifests":[]}`, "", "", []byte{})
	f.Fuzz(func(t *testing.T, index, manifest, config string, layerBlob []byte) {
		dir := t.TempDir()
		lay := filepath.Join(dir, "layout")
		blobs := filepath.Join(lay, "blobs", "sha256")
		if err := os.MkdirAll(blobs, 0o755); err != nil {
			t.Fatal(err)
		}
		put := func(b []byte) string {
			d := sha(b)
			if err := os.WriteFile(filepath.Join(blobs, strings.TrimPrefix(d, "sha256:")), b, 0o644); err != nil {
				t.Fatal(err)
			}
			return d
		}
		diffID := sha(layerBlob)
		if zr, err := gzip.NewReader(bytes.NewReader(layerBlob)); err == nil {
			if b, err := io.ReadAll(io.LimitReader(zr, 16<<20)); err == nil {
				diffID = sha(b)
			}
		}
		config = strings.ReplaceAll(config, "@DIFF_ID@", diffID)
		manifest = fill(fill(manifest, "LAYER", "LAYER_SIZE", put(layerBlob), layerBlob), "CONFIG", "CONFIG_SIZE", put([]byte(config)), []byte(config))
		index = fill(index, "MANIFEST", "MANIFEST_SIZE", put([]byte(manifest)), []byte(manifest))
		if err := os.WriteFile(filepath.Join(lay, "index.json"), []byte(index), 0o644); err != nil {
			t.Fatal(err)
		}

		img, desc, err := layout.ReadImage(lay)
		oneLine(t, err)
		if err == nil {
			if m, err := img.RawManifest(); err != nil || int64(len(m)) != desc.Size && desc.Size != 0 {
				t.Logf("manifest of %d bytes, index.json says %d (%v)", len(m), desc.Size, err)
			}
			layers, err := img.Layers()
			if err == nil {
				for _, l := range layers {
					size, _ := l.Size()
					rc, err := l.Compressed()
					if err != nil {
						continue
					}
					n, err := io.Copy(io.Discard, rc)
					rc.Close()
					if err == nil && n != size {
						t.Fatalf("layer of %d bytes read back, the manifest says %d", n, size)
					}
				}
			}
		}

		out := filepath.Join(dir, "image.tar")
		err = tarball.Write(out, lay, []string{"app:latest"})
		oneLine(t, err)
		t.Logf("tarball.Write: %v", err)
		_, statErr := os.Stat(out)
		switch {
		case err != nil && !errors.Is(statErr, os.ErrNotExist):
			t.Fatalf("tarball.Write failed (%v) but left %s behind", err, out)
		case err == nil && statErr != nil:
			t.Fatalf("tarball.Write succeeded without writing %s: %v", out, statErr)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() != "layout" && e.Name() != "image.tar" {
				t.Fatalf("tarball.Write left %s behind", e.Name())
			}
		}
	})
}

func oneLine(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.ContainsAny(err.Error(), "\n\r") {
		t.Errorf("error spans lines: %q", err)
	}
}
