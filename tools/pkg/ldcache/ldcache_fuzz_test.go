package ldcache

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"strings"
	"testing"
)

// fuzzLayer is a layer holding the ELF file elfData (if any) as a library,
// its soname link, a symlink loop and a whiteout.
func fuzzLayer(elfData []byte, gz bool) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(h *tar.Header, body []byte) {
		h.Size = int64(len(body))
		tw.WriteHeader(h)
		tw.Write(body)
	}
	add(&tar.Header{Name: "usr/", Typeflag: tar.TypeDir, Mode: 0o755}, nil)
	add(&tar.Header{Name: "usr/lib/", Typeflag: tar.TypeDir, Mode: 0o755}, nil)
	add(&tar.Header{Name: "usr/lib/x86_64-linux-gnu/", Typeflag: tar.TypeDir, Mode: 0o755}, nil)
	add(&tar.Header{Name: "usr/lib/x86_64-linux-gnu/libkeyutils.so.1.10", Typeflag: tar.TypeReg, Mode: 0o644}, elfData)
	add(&tar.Header{Name: "usr/lib/x86_64-linux-gnu/libkeyutils.so.1", Typeflag: tar.TypeSymlink, Linkname: "libkeyutils.so.1.10"}, nil)
	add(&tar.Header{Name: "lib", Typeflag: tar.TypeSymlink, Linkname: "usr/lib"}, nil)
	add(&tar.Header{Name: "usr/lib/loop", Typeflag: tar.TypeSymlink, Linkname: "../lib/loop/x"}, nil)
	add(&tar.Header{Name: "usr/lib/x86_64-linux-gnu/libhard.so.1", Typeflag: tar.TypeLink, Linkname: "usr/lib/x86_64-linux-gnu/libkeyutils.so.1.10"}, nil)
	add(&tar.Header{Name: "usr/lib/.wh.gone", Typeflag: tar.TypeReg}, nil)
	tw.Close()
	if !gz {
		return buf.Bytes()
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(buf.Bytes())
	zw.Close()
	return z.Bytes()
}

// FuzzAddLayer reads two arbitrary layers, the second on top of the
// first: errors are one line, and the cache of what is left names only
// libraries in the directories ldconfig scans and encodes.
func FuzzAddLayer(f *testing.F) {
	// A real shared library of the host, when it has this one.
	elfData, _ := os.ReadFile("/usr/lib/x86_64-linux-gnu/libkeyutils.so.1.10")
	if elfData == nil {
		elfData = []byte("\x7fELF not really")
	}
	f.Add(fuzzLayer(elfData, false), []byte{})
	f.Add(fuzzLayer(elfData, true), fuzzLayer(elfData[:len(elfData)/2], false))
	f.Add(fuzzLayer(nil, false), fuzzLayer(elfData, true))
	f.Fuzz(func(t *testing.T, lower, upper []byte) {
		tree := NewTree()
		for _, l := range [][]byte{lower, upper} {
			if err := tree.AddLayer(bytes.NewReader(l)); err != nil {
				if strings.ContainsAny(err.Error(), "\n\r") {
					t.Errorf("error spans lines: %q", err)
				}
				return
			}
		}
		arch := Archs["amd64"]
		entries := tree.Entries(arch)
		for _, e := range entries {
			ok := false
			for _, d := range arch.Dirs() {
				ok = ok || strings.HasPrefix(e.Value, d+"/")
			}
			if !ok || e.Key == "" || strings.Contains(e.Key, "/") {
				t.Fatalf("entry %+v: not a library name in %v", e, arch.Dirs())
			}
		}
		if _, err := Marshal(entries, "fuzz"); err != nil {
			t.Fatalf("Marshal of the entries of a tree: %v", err)
		}
	})
}
