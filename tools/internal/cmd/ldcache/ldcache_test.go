package ldcache

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
)

// gzLayer writes a gzip layer holding files (path → content) and symlinks (path → target).
func gzLayer(t *testing.T, p string, files, links map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, data := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range links {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeSymlink, Linkname: target}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRun(t *testing.T) {
	libz, err := filepath.EvalSymlinks("/usr/lib/x86_64-linux-gnu/libz.so.1")
	if err != nil {
		t.Skip("no x86-64 libz on the host")
	}
	data, err := os.ReadFile(libz)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	l1, l2 := filepath.Join(dir, "l1.tar.gz"), filepath.Join(dir, "l2.tar.gz")
	gzLayer(t, l1, map[string]string{"usr/lib/x86_64-linux-gnu/libz.so.1.2.13": string(data), "usr/lib/x86_64-linux-gnu/libgone.so.1": string(data)}, map[string]string{"lib": "usr/lib"})
	// The second layer removes libgone.so.1 and adds the soname link.
	gzLayer(t, l2, map[string]string{"usr/lib/x86_64-linux-gnu/.wh.libgone.so.1": ""}, map[string]string{"usr/lib/x86_64-linux-gnu/libz.so.1": "libz.so.1.2.13"})
	blob, desc := filepath.Join(dir, "layer.tar"), filepath.Join(dir, "desc.json")
	t.Setenv("SOURCE_DATE_EPOCH", "")
	err = Run(context.Background(), []string{"--layer", l1, "--layer", l2, "--architecture", "amd64", "--output", blob, "--descriptor", desc, "--compression", "none"}, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(blob)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	var got []string
	var cache []byte
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, h.Name)
		if h.Name == Path {
			if h.Mode != Mode || h.Uid != 0 || h.Gid != 0 {
				t.Errorf("%s: mode %o owner %d:%d", h.Name, h.Mode, h.Uid, h.Gid)
			}
			cache, _ = io.ReadAll(tr)
		}
	}
	if strings.Join(got, " ") != "etc/ "+Path {
		t.Errorf("layer holds %q, want etc/ and %s", got, Path)
	}
	if !bytes.HasPrefix(cache, []byte("glibc-ld.so.cache1.1")) || !bytes.Contains(cache, []byte("\x00/lib/x86_64-linux-gnu/libz.so.1\x00")) || bytes.Contains(cache, []byte("libgone")) {
		t.Errorf("cache lacks /lib/x86_64-linux-gnu/libz.so.1 or has libgone:\n%q", cache)
	}
	var d struct{ MediaType string }
	b, _ := os.ReadFile(desc)
	if err := json.Unmarshal(b, &d); err != nil || d.MediaType != "application/vnd.oci.image.layer.v1.tar" {
		t.Errorf("descriptor %s", b)
	}
}

func TestRunBadArchitecture(t *testing.T) {
	dir := t.TempDir()
	err := Run(context.Background(), []string{"--layer", "x", "--architecture", "s390x", "--output", filepath.Join(dir, "b"), "--descriptor", filepath.Join(dir, "d")}, io.Discard, io.Discard)
	var ue *cli.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "s390x") {
		t.Errorf("err = %v, want a usage error naming s390x", err)
	}
}
