package imagesrc

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-distill/rules_distill/tools/internal/testimage"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
	"github.com/rules-distill/rules_distill/tools/pkg/tarball"
)

// fuzzArchives are a docker-archive and an OCI archive of a real test image.
func fuzzArchives(f *testing.F) (docker, oci []byte) {
	ti := testimage.New(f, layer.Gzip)
	dir := f.TempDir()
	p := filepath.Join(dir, "docker.tar")
	if err := tarball.Write(p, ti.Layout, []string{"distill.test/app:v1"}); err != nil {
		f.Fatal(err)
	}
	docker, err := os.ReadFile(p)
	if err != nil {
		f.Fatal(err)
	}
	// The OCI archive: the layout's files, as `tar -C layout .` writes them.
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err = filepath.Walk(ti.Layout, func(p string, fi os.FileInfo, err error) error {
		rel, _ := filepath.Rel(ti.Layout, p)
		if err != nil || rel == "." {
			return err
		}
		fi, err = os.Stat(p) // Bazel-like layouts may hold symlinks
		if err != nil {
			return err
		}
		hdr, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		hdr.Name = "./" + filepath.ToSlash(rel)
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, err = tw.Write(b)
			return err
		}
		return nil
	})
	if err != nil || tw.Close() != nil {
		f.Fatalf("writing the OCI archive: %v", err)
	}
	return docker, buf.Bytes()
}

func oneLine(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.ContainsAny(err.Error(), "\n\r") {
		t.Errorf("error spans lines: %q", err)
	}
}

// FuzzIndexTar: every member the index finds lies inside the archive.
func FuzzIndexTar(f *testing.F) {
	docker, oci := fuzzArchives(f)
	f.Add(docker)
	f.Add(oci)
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := IndexTar(bytes.NewReader(data))
		oneLine(t, err)
		if err != nil {
			return
		}
		for _, name := range []string{"manifest.json", "index.json", "oci-layout"} {
			if !ms.Has(name) {
				continue
			}
			sr, err := ms.Open(bytes.NewReader(data), name)
			if err != nil {
				continue
			}
			if _, off, n := sr.Outer(); off < 0 || n < 0 || off+n > int64(len(data)) {
				t.Fatalf("member %s at %d, %d bytes: outside the %d-byte archive", name, off, n, len(data))
			}
		}
	})
}

// FuzzOpenArchive opens arbitrary bytes as a docker-archive or an OCI
// archive (never a registry: the kind is forced) and reads the image: an
// image that opens has layers whose bytes match their declared sizes;
// errors are one line.
func FuzzOpenArchive(f *testing.F) {
	docker, oci := fuzzArchives(f)
	f.Add(docker, false)
	f.Add(oci, true)
	f.Add(docker[:len(docker)/2], false)
	f.Fuzz(func(t *testing.T, data []byte, ociKind bool) {
		p := filepath.Join(t.TempDir(), "image.tar")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ref := "docker-archive:" + p
		if ociKind {
			ref = "oci-archive:" + p
		}
		s, err := Open(context.Background(), ref, Options{})
		t.Logf("Open: %v", err)
		oneLine(t, err)
		if err != nil {
			return
		}
		defer s.Close()
		if _, err := s.Image.ConfigFile(); err != nil {
			oneLine(t, err)
			return
		}
		layers, err := s.Image.Layers()
		if err != nil {
			oneLine(t, err)
			return
		}
		for _, l := range layers {
			size, err := l.Size()
			if err != nil {
				continue
			}
			rc, err := l.Compressed()
			if err != nil {
				oneLine(t, err)
				continue
			}
			n, err := io.Copy(io.Discard, io.LimitReader(rc, int64(len(data))+1))
			rc.Close()
			if err == nil && n != size {
				t.Fatalf("layer of %d bytes read, %d declared", n, size)
			}
		}
	})
}
