package imagefs_test

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/pkg/imagefs"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
)

// listing returns "PATH KIND MODE" for every path of fs.
func listing(fs *imagefs.FS[string]) []string {
	var out []string
	fs.Walk(func(p string, n *imagefs.Node[string]) {
		out = append(out, fmt.Sprintf("%s %s %04o", p, n.Kind, n.Mode))
	})
	return out
}

// readAll keeps a file's content as its Data.
func readAll(_ *tar.Header, _ string, r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	return string(b), err
}

// rawLayer is a plain tar of headers (regular files get content "x").
func rawLayer(t *testing.T, hdrs ...tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range hdrs {
		if h.Typeflag == tar.TypeReg {
			h.Size = 1
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte("x")); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestAddLayer(t *testing.T) {
	reg := func(name string, mode int64) tar.Header {
		return tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: mode}
	}
	tests := []struct {
		name   string
		layers [][]tar.Header
		want   []string
	}{
		{
			name: "a hardlink has the file's facts and its own mode",
			layers: [][]tar.Header{{
				{Name: "bin/", Typeflag: tar.TypeDir, Mode: 0o755},
				reg("bin/a", 0o755),
				{Name: "bin/b", Typeflag: tar.TypeLink, Linkname: "bin/a", Mode: 0o4755},
			}},
			want: []string{"/bin dir 0755", "/bin/a file 0755", "/bin/b file 4755"},
		},
		{
			name: "a whiteout of a directory removes what lower layers had below it",
			layers: [][]tar.Header{
				{reg("usr/lib/x/a", 0o644), reg("usr/lib/y", 0o644)},
				{reg("usr/lib/.wh.x", 0o644)},
			},
			want: []string{"/usr/lib/y file 0644"},
		},
		{
			name: "an opaque marker keeps the paths implied by its own layer",
			layers: [][]tar.Header{
				{reg("a/old", 0o644)},
				{reg("a/b/c", 0o644), reg("a/.wh..wh..opq", 0o644)},
			},
			want: []string{"/a/b/c file 0644"},
		},
		{
			name: "a whiteout removes the lower layers' path, not the one its own layer adds",
			layers: [][]tar.Header{
				{reg("etc/a", 0o644), reg("etc/b", 0o644)},
				{reg("etc/a", 0o600), reg("etc/.wh.a", 0o644), reg("etc/.wh.b", 0o644)},
			},
			want: []string{"/etc/a file 0600"},
		},
		{
			name: "an opaque directory hides what lower layers had in it",
			layers: [][]tar.Header{
				{reg("opt/x/a", 0o644), reg("opt/y", 0o644)},
				{{Name: "opt/x/", Typeflag: tar.TypeDir, Mode: 0o750}, reg("opt/x/.wh..wh..opq", 0o644), reg("opt/x/b", 0o644)},
			},
			want: []string{"/opt/x dir 0750", "/opt/x/b file 0644", "/opt/y file 0644"},
		},
		{
			name: "a file over a directory removes what was below it",
			layers: [][]tar.Header{
				{reg("srv/data/a", 0o644)},
				{reg("srv/data", 0o644)},
			},
			want: []string{"/srv/data file 0644"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := imagefs.New[string]()
			for _, hdrs := range tc.layers {
				if err := fs.AddLayer(bytes.NewReader(rawLayer(t, hdrs...)), readAll); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(tc.want, listing(fs)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// The three compressions of a layer read to the same filesystem.
func TestAddLayerCompressions(t *testing.T) {
	entries := []layer.Entry{
		{Path: "app/server", Kind: layer.File, Src: "fs_test.go"},
		{Path: "usr/bin/server", Kind: layer.Symlink, Target: "/app/server"},
	}
	want := []string{"/app dir 0755", "/app/server file 0644", "/usr dir 0755", "/usr/bin dir 0755", "/usr/bin/server symlink 0777"}
	for _, c := range []layer.Compression{layer.Gzip, layer.Zstd, layer.None} {
		t.Run(string(c), func(t *testing.T) {
			var blob bytes.Buffer
			if _, err := layer.Write(&blob, entries, layer.Options{Compression: c, Level: c.DefaultLevel()}); err != nil {
				t.Fatal(err)
			}
			tr, got, err := imagefs.Decompress(bytes.NewReader(blob.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			tr.Close()
			if got != imagefs.Compression(c) {
				t.Errorf("Decompress: compression %q, want %q", got, c)
			}
			fs := imagefs.New[string]()
			if err := fs.AddLayer(&blob, readAll); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, listing(fs)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	fs := imagefs.New[string]()
	layer := rawLayer(t,
		tar.Header{Name: "usr/lib/x86_64-linux-gnu/libc.so.6", Typeflag: tar.TypeReg, Mode: 0o755},
		tar.Header{Name: "lib", Typeflag: tar.TypeSymlink, Linkname: "usr/lib"},
		tar.Header{Name: "usr/lib/libc.so", Typeflag: tar.TypeSymlink, Linkname: "../../lib/x86_64-linux-gnu/libc.so.6"},
		tar.Header{Name: "loop", Typeflag: tar.TypeSymlink, Linkname: "/loop"},
	)
	if err := fs.AddLayer(bytes.NewReader(layer), readAll); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want string // "" when it does not resolve
	}{
		{path: "/lib/libc.so", want: "/usr/lib/x86_64-linux-gnu/libc.so.6"},
		{path: "lib/x86_64-linux-gnu", want: "/usr/lib/x86_64-linux-gnu"},
		{path: "/../../usr/lib", want: "/usr/lib"},
		{path: "/loop"},
		{path: "/usr/lib/x86_64-linux-gnu/libc.so.6/x"},
		{path: "/nothing"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			got, _, _ := fs.Resolve(tc.path)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Resolve(%q) (-want +got):\n%s", tc.path, diff)
			}
		})
	}
	if n, ok := fs.Lookup("/lib/libc.so"); !ok || n.Kind != imagefs.Symlink {
		t.Errorf("Lookup(/lib/libc.so) = %+v, %v; want the symlink itself", n, ok)
	}
	if diff := cmp.Diff([]string{"libc.so", "x86_64-linux-gnu"}, fs.Children("usr/lib")); diff != "" {
		t.Errorf("Children(usr/lib) (-want +got):\n%s", diff)
	}
	if _, n, _ := fs.Resolve("/lib/libc.so"); n.Data != "x" {
		t.Errorf("Data of libc.so.6 = %q, want %q", n.Data, "x")
	}
}

func TestIsSparse(t *testing.T) {
	tests := []struct {
		name string
		hdr  tar.Header
		want bool
	}{
		{name: "regular", hdr: tar.Header{Typeflag: tar.TypeReg}},
		{name: "GNU sparse", hdr: tar.Header{Typeflag: tar.TypeGNUSparse}, want: true},
		{name: "PAX sparse", hdr: tar.Header{Typeflag: tar.TypeReg, PAXRecords: map[string]string{"GNU.sparse.major": "1"}}, want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := imagefs.IsSparse(&tc.hdr); got != tc.want {
				t.Errorf("IsSparse = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestClean(t *testing.T) {
	for name, want := range map[string]string{"./a/b/": "a/b", "/": "", "../../etc/passwd": "etc/passwd", ".": ""} {
		if got := imagefs.Clean(name); got != want {
			t.Errorf("Clean(%q) = %q, want %q", name, got, want)
		}
	}
}
