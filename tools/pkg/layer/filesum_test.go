package layer

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TestOnFile: Write and Stream report every regular file with the sha256 of
// its content, in layer order, and the same layer bytes as without OnFile.
func TestOnFile(t *testing.T) {
	dir := t.TempDir()
	entries := []Entry{
		{Path: "usr/bin/tool", Kind: File, Src: writeSrc(t, dir, "tool", "#!tool\n"), Mode: mode(0o755)},
		{Path: "etc/hello.txt", Kind: File, Src: writeSrc(t, dir, "hello", "hello\n")},
		{Path: "etc/empty", Kind: File, Src: writeSrc(t, dir, "empty", "")},
		{Path: "etc/hi", Kind: Symlink, Target: "hello.txt"},
		{Path: "var/empty", Kind: Dir},
	}
	want := []FileSum{
		{Path: "etc/empty", SHA256: sum(""), Size: 0},
		{Path: "etc/hello.txt", SHA256: sum("hello\n"), Size: 6},
		{Path: "usr/bin/tool", SHA256: sum("#!tool\n"), Size: 7},
	}
	for _, c := range []Compression{Gzip, Zstd, None} {
		t.Run("Write "+string(c), func(t *testing.T) {
			var got []FileSum
			opts := Options{Compression: c, Level: c.DefaultLevel(), ModTime: epoch}
			plain, plainDesc := build(t, entries, opts)
			opts.OnFile = func(s FileSum) { got = append(got, s) }
			blob, desc := build(t, entries, opts)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("OnFile mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(plainDesc, desc); diff != "" || string(plain) != string(blob) {
				t.Errorf("OnFile changed the layer (-without +with):\n%s", diff)
			}
		})
	}

	t.Run("Stream", func(t *testing.T) {
		hs := []Header{
			{Path: "usr/lib/libx.so.1", Kind: File, Mode: 0o644, Size: 3},
			{Path: "usr/lib/libx.so.1.0", Kind: Hardlink, Mode: 0o644, Target: "usr/lib/libx.so.1"},
			{Path: "usr/lib/libx.so", Kind: Symlink, Mode: 0o777, Target: "libx.so.1"},
			{Path: "etc/x.conf", Kind: File, Mode: 0o644, Size: 0},
		}
		contents := map[string]string{"usr/lib/libx.so.1": "ELF"}
		var got []FileSum
		opts := Options{Compression: Gzip, Level: Gzip.DefaultLevel(), ModTime: epoch}
		plain, err := stream(t, hs, contents, opts)
		if err != nil {
			t.Fatal(err)
		}
		opts.OnFile = func(s FileSum) { got = append(got, s) }
		blob, err := stream(t, hs, contents, opts)
		if err != nil {
			t.Fatal(err)
		}
		want := []FileSum{
			{Path: "usr/lib/libx.so.1", SHA256: sum("ELF"), Size: 3},
			{Path: "usr/lib/libx.so.1.0", SHA256: sum("ELF"), Size: 3},
			{Path: "etc/x.conf", SHA256: sum(""), Size: 0},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("OnFile mismatch (-want +got):\n%s", diff)
		}
		if string(plain) != string(blob) {
			t.Error("OnFile changed the layer bytes")
		}
	})
}
