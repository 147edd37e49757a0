package layer

import (
	"archive/tar"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/internal/layertest"
)

// stream writes hs (with contents) through a Stream and checks the layer.
func stream(t *testing.T, hs []Header, contents map[string]string, opts Options) ([]byte, error) {
	t.Helper()
	var buf bytes.Buffer
	s, err := NewStream(&buf, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		var r io.Reader
		if c, ok := contents[h.Path]; ok {
			r = strings.NewReader(c)
		}
		if err := s.Add(h, r); err != nil {
			if _, cerr := s.Close(); cerr == nil || cerr.Error() != err.Error() {
				t.Errorf("Close after Add failed = %v, want the Add error %v", cerr, err)
			}
			return nil, err
		}
	}
	desc, err := s.Close()
	if err != nil {
		return nil, err
	}
	checkLayer(t, buf.Bytes(), desc)
	return buf.Bytes(), nil
}

func TestStream(t *testing.T) {
	ts := epoch.Unix()
	ustar := tar.FormatUSTAR
	hs := []Header{
		{Path: "usr/bin/hello", Kind: File, Mode: 0o4755, Size: 6},
		{Path: "usr/bin/hi", Kind: Hardlink, Mode: 0o4755, Target: "usr/bin/hello"},
		{Path: "usr", Kind: Dir, Mode: 0o755}, // listed after its contents, identical: skipped
		{Path: "etc", Kind: Dir, Mode: 0o750, GID: 42},
		{Path: "etc/shadow", Kind: File, Mode: 0o640, GID: 42, Size: 0},
		{Path: "lib", Kind: Symlink, Mode: 0o777, Target: "usr/lib"},
	}
	blob, err := stream(t, hs, map[string]string{"usr/bin/hello": "hello\n"}, Options{Compression: Gzip, Level: 6, ModTime: epoch})
	if err != nil {
		t.Fatal(err)
	}
	want := []header{
		{Name: "usr/", Type: tar.TypeDir, Mode: 0o755, ModTime: ts, Format: ustar},
		{Name: "usr/bin/", Type: tar.TypeDir, Mode: 0o755, ModTime: ts, Format: ustar},
		{Name: "usr/bin/hello", Type: tar.TypeReg, Mode: 0o4755, ModTime: ts, Content: "hello\n", Format: ustar},
		{Name: "usr/bin/hi", Type: tar.TypeLink, Mode: 0o4755, ModTime: ts, Linkname: "usr/bin/hello", Format: ustar},
		{Name: "etc/", Type: tar.TypeDir, Mode: 0o750, GID: 42, ModTime: ts, Format: ustar},
		{Name: "etc/shadow", Type: tar.TypeReg, Mode: 0o640, GID: 42, ModTime: ts, Format: ustar},
		{Name: "lib", Type: tar.TypeSymlink, Mode: 0o777, ModTime: ts, Linkname: "usr/lib", Format: ustar},
	}
	if diff := cmp.Diff(want, readTar(t, layertest.Uncompress(t, blob, Gzip.MediaType()))); diff != "" {
		t.Errorf("tar entries (-want +got):\n%s", diff)
	}
}

// TestStreamMatchesWrite: entries added in Write's order give Write's bytes.
func TestStreamMatchesWrite(t *testing.T) {
	src := t.TempDir()
	hello := writeSrc(t, src, "hello", "hello, distroless\n")
	entries := []Entry{
		{Path: "app/hello", Kind: File, Src: hello, Mode: mode(0o755)},
		{Path: "etc/motd", Kind: File, Src: hello, UID: 65532, GID: 65532},
		{Path: "usr/bin/hello", Kind: Symlink, Target: "/app/hello"},
		{Path: "tmp", Kind: Dir, Mode: mode(0o1777)},
	}
	const content = "hello, distroless\n"
	hs := []Header{
		{Path: "app/hello", Kind: File, Mode: 0o755, Size: int64(len(content))},
		{Path: "etc/motd", Kind: File, Mode: 0o644, UID: 65532, GID: 65532, Size: int64(len(content))},
		{Path: "tmp", Kind: Dir, Mode: 0o1777},
		{Path: "usr/bin/hello", Kind: Symlink, Mode: 0o777, Target: "/app/hello"},
	}
	for _, c := range []Compression{Gzip, Zstd, None} {
		opts := Options{Compression: c, Level: c.DefaultLevel(), ModTime: epoch}
		want, _ := build(t, entries, opts)
		var got []byte
		s, err := NewStream(&bytesWriter{&got}, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			if err := s.Add(h, strings.NewReader(content)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: Stream and Write give different bytes", c)
		}
	}
}

type bytesWriter struct{ b *[]byte }

func (w *bytesWriter) Write(p []byte) (int, error) {
	*w.b = append(*w.b, p...)
	return len(p), nil
}

func TestStreamErrors(t *testing.T) {
	tests := []struct {
		name     string
		hs       []Header
		contents map[string]string
		wantErr  string
	}{
		{name: "dot dot", hs: []Header{{Path: "a/../../b", Kind: Dir}}, wantErr: `path "a/../../b": ".." path element`},
		{name: "absolute", hs: []Header{{Path: "/etc", Kind: Dir}}, wantErr: `path "/etc": absolute path`},
		{name: "trailing slash", hs: []Header{{Path: "etc/", Kind: Dir}}, wantErr: "trailing slash"},
		{name: "unknown kind", hs: []Header{{Path: "a", Kind: "fifo"}}, wantErr: `kind "fifo" is not one of`},
		{name: "mode", hs: []Header{{Path: "a", Kind: Dir, Mode: 0o10000}}, wantErr: "outside 0..07777"},
		{name: "owner", hs: []Header{{Path: "a", Kind: Dir, UID: -1}}, wantErr: "owner -1:0"},
		{name: "symlink without target", hs: []Header{{Path: "a", Kind: Symlink}}, wantErr: "kind symlink needs target"},
		{name: "dir with size", hs: []Header{{Path: "a", Kind: Dir, Size: 3}}, wantErr: "kind dir takes no size"},
		{name: "hardlink to nothing", hs: []Header{{Path: "a", Kind: Hardlink, Target: "b"}}, wantErr: `hardlink target "b" is not in the layer yet`},
		{name: "hardlink to dir", hs: []Header{{Path: "b", Kind: Dir}, {Path: "a", Kind: Hardlink, Target: "b"}}, wantErr: `hardlink target "b" is a dir, not a file`},
		{name: "hardlink escaping", hs: []Header{{Path: "a", Kind: Hardlink, Target: "../b"}}, wantErr: `hardlink target "../b": ".." path element`},
		{name: "short content", hs: []Header{{Path: "a", Kind: File, Size: 10}}, contents: map[string]string{"a": "abc"}, wantErr: `path "a": content ended after 3 of 10 bytes`},
		{name: "no content", hs: []Header{{Path: "a", Kind: File, Size: 10}}, wantErr: "without content"},
		{name: "parent is a symlink", hs: []Header{{Path: "lib", Kind: Symlink, Target: "usr/lib"}, {Path: "lib/x", Kind: File}}, wantErr: `path "lib/x": parent "lib" is a symlink, not a dir`},
		{name: "parent is a file", hs: []Header{{Path: "a", Kind: File}, {Path: "a/b", Kind: Dir}}, wantErr: `parent "a" is a file`},
		{name: "file twice", hs: []Header{{Path: "a", Kind: File}, {Path: "a", Kind: File}}, wantErr: `path "a": already in the layer as file of 0 bytes mode 0000 owner 0:0, now file`},
		{name: "dir twice differently", hs: []Header{{Path: "a/b", Kind: File}, {Path: "a", Kind: Dir, Mode: 0o700}}, wantErr: `path "a": already in the layer as dir mode 0755 owner 0:0, now dir mode 0700 owner 0:0`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := stream(t, tc.hs, tc.contents, Options{Compression: Gzip, Level: 6, ModTime: epoch})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestStreamAfterClose(t *testing.T) {
	s, err := NewStream(io.Discard, Options{Compression: None})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(Header{Path: "a", Kind: Dir}, nil); err == nil {
		t.Error("Add after Close succeeded")
	}
	if _, err := s.Close(); err == nil {
		t.Error("second Close succeeded")
	}
	if _, err := NewStream(io.Discard, Options{Compression: Gzip, Level: 11}); err == nil {
		t.Error("NewStream with gzip level 11 succeeded")
	}
}
