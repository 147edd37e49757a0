package layer

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/rules-distill/rules_distill/tools/internal/layertest"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
)

var epoch = time.Unix(1700000000, 0).UTC()

func mode(m int64) *int64 { return &m }

// writeSrc writes a source file under dir and returns its path.
func writeSrc(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// build writes a layer of entries and checks it against its descriptor.
func build(t *testing.T, entries []Entry, opts Options) ([]byte, descriptor.Layer) {
	t.Helper()
	var buf bytes.Buffer
	desc, err := Write(&buf, entries, opts)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	checkLayer(t, buf.Bytes(), desc)
	return buf.Bytes(), desc
}

// checkLayer checks digest, size and diffID of blob against desc, with
// validate.Layer for gzip (the only compression it reads).
func checkLayer(t *testing.T, blob []byte, desc descriptor.Layer) {
	t.Helper()
	if got := layertest.SHA256(blob); got != desc.Digest {
		t.Errorf("digest = %s, sha256(blob) = %s", desc.Digest, got)
	}
	if int64(len(blob)) != desc.Size {
		t.Errorf("size = %d, len(blob) = %d", desc.Size, len(blob))
	}
	if got := layertest.SHA256(layertest.Uncompress(t, blob, desc.MediaType)); got != desc.DiffID {
		t.Errorf("diffID = %s, sha256(uncompressed) = %s", desc.DiffID, got)
	}
	if desc.MediaType == types.OCILayer {
		if err := validate.Layer(layertest.Layer(t, blob, desc)); err != nil {
			t.Errorf("validate.Layer: %v", err)
		}
	}
}

// header is what a test checks of a tar entry.
type header struct {
	Name     string
	Type     byte
	Mode     int64
	UID, GID int
	Uname    string
	Gname    string
	ModTime  int64
	Linkname string
	Content  string
	Format   tar.Format
}

func readTar(t *testing.T, data []byte) []header {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(data))
	var got []header
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, header{
			Name: h.Name, Type: h.Typeflag, Mode: h.Mode, UID: h.Uid, GID: h.Gid,
			Uname: h.Uname, Gname: h.Gname, ModTime: h.ModTime.Unix(),
			Linkname: h.Linkname, Content: string(content), Format: h.Format,
		})
	}
}

func TestWrite(t *testing.T) {
	src := t.TempDir()
	server := writeSrc(t, src, "bin/server", "#!server\n")
	same := writeSrc(t, src, "other/server", "#!server\n")
	conf := writeSrc(t, src, "etc/app.conf", "key=value\n")
	tool := writeSrc(t, src, "tool", "#!tool\n")
	groupExec := writeSrc(t, src, "group-exec", "x")
	for p, m := range map[string]os.FileMode{tool: 0o700, groupExec: 0o654} {
		if err := os.Chmod(p, m); err != nil {
			t.Fatal(err)
		}
	}
	linkToConf := filepath.Join(src, "link.conf")
	if err := os.Symlink(conf, linkToConf); err != nil {
		t.Fatal(err)
	}
	ts := epoch.Unix()
	ustar := tar.FormatUSTAR
	tests := []struct {
		name    string
		entries []Entry
		want    []header
	}{{
		name: "protocol example",
		entries: []Entry{
			{Path: "app/server", Kind: File, Src: server, Mode: mode(0o755)},
			{Path: "app", Kind: Dir, Mode: mode(0o755)},
			{Path: "usr/bin/server", Kind: Symlink, Target: "/app/server"},
		},
		want: []header{
			{Name: "app/", Type: tar.TypeDir, Mode: 0o755, ModTime: ts, Format: ustar},
			{Name: "app/server", Type: tar.TypeReg, Mode: 0o755, ModTime: ts, Content: "#!server\n", Format: ustar},
			{Name: "usr/", Type: tar.TypeDir, Mode: 0o755, ModTime: ts, Format: ustar},
			{Name: "usr/bin/", Type: tar.TypeDir, Mode: 0o755, ModTime: ts, Format: ustar},
			{Name: "usr/bin/server", Type: tar.TypeSymlink, Mode: 0o777, ModTime: ts, Linkname: "/app/server", Format: ustar},
		},
	}, {
		name: "defaults, owners and special bits",
		entries: []Entry{
			{Path: "etc/app.conf", Kind: File, Src: conf, UID: 65532, GID: 65533},
			{Path: "tmp", Kind: Dir, Mode: mode(0o1777)},
			{Path: "usr/bin/su", Kind: File, Src: server, Mode: mode(0o4755)},
			{Path: "home/nonroot", Kind: Dir, UID: 65532, GID: 65532, Mode: mode(0o700)},
		},
		want: []header{
			{Name: "etc/", Type: tar.TypeDir, Mode: 0o755, ModTime: ts, Format: ustar},
			{Name: "etc/app.conf", Type: tar.TypeReg, Mode: 0o644, UID: 65532, GID: 65533, ModTime: ts, Content: "key=value\n", Format: ustar},
			{Name: "home/", Type: tar.TypeDir, Mode: 0o755, ModTime: ts, Format: ustar},
			{Name: "home/nonroot/", Type: tar.TypeDir, Mode: 0o700, UID: 65532, GID: 65532, ModTime: ts, Format: ustar},
			{Name: "tmp/", Type: tar.TypeDir, Mode: 0o1777, ModTime: ts, Format: ustar},
			{Name: "usr/", Type: tar.TypeDir, Mode: 0o755, ModTime: ts, Format: ustar},
			{Name: "usr/bin/", Type: tar.TypeDir, Mode: 0o755, ModTime: ts, Format: ustar},
			{Name: "usr/bin/su", Type: tar.TypeReg, Mode: 0o4755, ModTime: ts, Content: "#!server\n", Format: ustar},
		},
	}, {
		name: "identical duplicates are merged",
		entries: []Entry{
			{Path: "a", Kind: File, Src: server},
			{Path: "a", Kind: File, Src: server},
			{Path: "b", Kind: File, Src: server},
			{Path: "b", Kind: File, Src: same},
			{Path: "d", Kind: Dir},
			{Path: "d", Kind: Dir, Mode: mode(0o755)},
		},
		want: []header{
			{Name: "a", Type: tar.TypeReg, Mode: 0o644, ModTime: ts, Content: "#!server\n", Format: ustar},
			{Name: "b", Type: tar.TypeReg, Mode: 0o644, ModTime: ts, Content: "#!server\n", Format: ustar},
			{Name: "d/", Type: tar.TypeDir, Mode: 0o755, ModTime: ts, Format: ustar},
		},
	}, {
		name: "symlinked src is followed, symlink target is verbatim",
		entries: []Entry{
			{Path: "conf", Kind: File, Src: linkToConf},
			{Path: "up", Kind: Symlink, Target: "../../../etc/passwd"},
		},
		want: []header{
			{Name: "conf", Type: tar.TypeReg, Mode: 0o644, ModTime: ts, Content: "key=value\n", Format: ustar},
			{Name: "up", Type: tar.TypeSymlink, Mode: 0o777, ModTime: ts, Linkname: "../../../etc/passwd", Format: ustar},
		},
	}, {
		name: "byte order, not directory order",
		entries: []Entry{
			{Path: "a/b", Kind: Dir},
			{Path: "a-b", Kind: Dir},
			{Path: "B", Kind: Dir},
		},
		want: []header{
			{Name: "B/", Type: tar.TypeDir, Mode: 0o755, ModTime: ts, Format: ustar},
			{Name: "a/", Type: tar.TypeDir, Mode: 0o755, ModTime: ts, Format: ustar},
			{Name: "a-b/", Type: tar.TypeDir, Mode: 0o755, ModTime: ts, Format: ustar},
			{Name: "a/b/", Type: tar.TypeDir, Mode: 0o755, ModTime: ts, Format: ustar},
		},
	}, {
		name: "auto mode follows the owner's execute bit",
		entries: []Entry{
			{Path: "exec", Kind: File, Src: tool, Mode: mode(AutoMode)},
			{Path: "data", Kind: File, Src: conf, Mode: mode(AutoMode)},
			{Path: "data", Kind: File, Src: conf, Mode: mode(0o644)}, // identical once chosen
			{Path: "group-exec-only", Kind: File, Src: groupExec, Mode: mode(AutoMode)},
		},
		want: []header{
			{Name: "data", Type: tar.TypeReg, Mode: 0o644, ModTime: ts, Content: "key=value\n", Format: ustar},
			{Name: "exec", Type: tar.TypeReg, Mode: 0o755, ModTime: ts, Content: "#!tool\n", Format: ustar},
			{Name: "group-exec-only", Type: tar.TypeReg, Mode: 0o644, ModTime: ts, Content: "x", Format: ustar},
		},
	}, {
		name:    "empty layer",
		entries: nil,
		want:    nil,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range []Compression{Gzip, Zstd, None} {
				blob, desc := build(t, tc.entries, Options{Compression: c, Level: c.DefaultLevel(), ModTime: epoch})
				if desc.MediaType != c.MediaType() {
					t.Errorf("%s: mediaType = %s, want %s", c, desc.MediaType, c.MediaType())
				}
				if diff := cmp.Diff(tc.want, readTar(t, layertest.Uncompress(t, blob, desc.MediaType))); diff != "" {
					t.Errorf("%s: tar entries (-want +got):\n%s", c, diff)
				}
			}
		})
	}
}

func TestTarFormat(t *testing.T) {
	long := strings.Repeat("d/", 60) + "file" // 124 bytes, splits into USTAR prefix and name
	longElem := strings.Repeat("x", 120)      // cannot split: PAX
	tests := []struct {
		name  string
		entry Entry
		want  tar.Format
	}{
		{name: "short", entry: Entry{Path: "f", Kind: Symlink, Target: "t"}, want: tar.FormatUSTAR},
		{name: "long splittable path", entry: Entry{Path: long, Kind: Symlink, Target: "t"}, want: tar.FormatUSTAR},
		{name: "long element", entry: Entry{Path: longElem, Kind: Symlink, Target: "t"}, want: tar.FormatPAX},
		{name: "long target", entry: Entry{Path: "f", Kind: Symlink, Target: longElem}, want: tar.FormatPAX},
		{name: "big uid", entry: Entry{Path: "f", Kind: Symlink, Target: "t", UID: 1 << 30}, want: tar.FormatPAX},
		{name: "non-ASCII name", entry: Entry{Path: "café", Kind: Symlink, Target: "t"}, want: tar.FormatPAX},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			blob, _ := build(t, []Entry{tc.entry}, Options{Compression: None, ModTime: epoch})
			hs := readTar(t, blob)
			last := hs[len(hs)-1]
			if last.Name != tc.entry.Path || last.Format != tc.want {
				t.Errorf("entry %q has format %v, want %q in %v", last.Name, last.Format, tc.entry.Path, tc.want)
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	src := t.TempDir()
	server := writeSrc(t, src, "server", "server")
	other := writeSrc(t, src, "other", "different")
	dirSrc := filepath.Join(src, "adir")
	if err := os.Mkdir(dirSrc, 0o755); err != nil {
		t.Fatal(err)
	}
	dirLink := filepath.Join(src, "dirlink")
	if err := os.Symlink(dirSrc, dirLink); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(src, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(src, "missing")
	tests := []struct {
		name    string
		entries []Entry
		wantErr string
	}{
		{name: "dot dot", entries: []Entry{{Path: "app/../../etc/passwd", Kind: File, Src: server}}, wantErr: `entry 0 (path "app/../../etc/passwd"): ".." path element escapes the image root`},
		{name: "only dot dot", entries: []Entry{{Path: "..", Kind: Dir}}, wantErr: `".." path element`},
		{name: "absolute", entries: []Entry{{Path: "/etc/passwd", Kind: File, Src: server}}, wantErr: `path "/etc/passwd"): absolute path`},
		{name: "empty element", entries: []Entry{{Path: "a//b", Kind: Dir}}, wantErr: `path "a//b"): empty path element`},
		{name: "dot element", entries: []Entry{{Path: "./a", Kind: Dir}}, wantErr: `path "./a"): "." path element`},
		{name: "trailing slash", entries: []Entry{{Path: "a/", Kind: Dir}}, wantErr: "trailing slash"},
		{name: "empty path", entries: []Entry{{Path: "", Kind: Dir}}, wantErr: "empty path"},
		{name: "nul", entries: []Entry{{Path: "a\x00b", Kind: Dir}}, wantErr: "NUL byte"},
		{name: "unknown kind", entries: []Entry{{Path: "a", Kind: "hardlink"}}, wantErr: `kind "hardlink" is not one of file, dir, symlink`},
		{name: "file without src", entries: []Entry{{Path: "a", Kind: File}}, wantErr: "kind file needs src"},
		{name: "symlink without target", entries: []Entry{{Path: "a", Kind: Symlink}}, wantErr: "kind symlink needs target"},
		{name: "dir with src", entries: []Entry{{Path: "a", Kind: Dir, Src: server}}, wantErr: "kind dir takes no src"},
		{name: "mode too big", entries: []Entry{{Path: "a", Kind: Dir, Mode: mode(0o10000)}}, wantErr: "outside 0..07777"},
		{name: "auto mode for a dir", entries: []Entry{{Path: "a", Kind: Dir, Mode: mode(AutoMode)}}, wantErr: "mode -1 (choose from src) is for kind file only"},
		{name: "auto mode of a missing src", entries: []Entry{{Path: "a", Kind: File, Src: missing, Mode: mode(AutoMode)}}, wantErr: `entry 0 (path "a"): choosing mode: stat ` + missing},
		{name: "negative uid", entries: []Entry{{Path: "a", Kind: Dir, UID: -1}}, wantErr: "owner -1:0"},
		{name: "directory src", entries: []Entry{{Path: "a", Kind: File, Src: dirSrc}}, wantErr: "is a directory: use kind dir"},
		{name: "symlink to directory src", entries: []Entry{{Path: "a", Kind: File, Src: dirLink}}, wantErr: "is a directory: use kind dir"},
		{name: "fifo src", entries: []Entry{{Path: "a", Kind: File, Src: fifo}}, wantErr: "is not a regular file"},
		{name: "missing src", entries: []Entry{{Path: "a", Kind: File, Src: missing}}, wantErr: `writing "a": opening src: stat ` + missing + ": no such file or directory"},
		{
			name:    "duplicate with different content",
			entries: []Entry{{Path: "a", Kind: File, Src: server}, {Path: "a", Kind: File, Src: other}},
			wantErr: `path "a" declared twice differently: file from "` + server + `" mode 0644 owner 0:0 and file from "` + other + `" mode 0644 owner 0:0`,
		},
		{
			name:    "duplicate with different mode",
			entries: []Entry{{Path: "a", Kind: Dir}, {Path: "a", Kind: Dir, Mode: mode(0o700)}},
			wantErr: `path "a" declared twice differently: dir mode 0755 owner 0:0 and dir mode 0700 owner 0:0`,
		},
		{
			name:    "duplicate with different kind",
			entries: []Entry{{Path: "a", Kind: Dir}, {Path: "a", Kind: Symlink, Target: "b"}},
			wantErr: `path "a" declared twice differently`,
		},
		{
			name:    "parent is a file",
			entries: []Entry{{Path: "a", Kind: File, Src: server}, {Path: "a/b", Kind: Dir}},
			wantErr: `path "a/b" (dir): parent "a" is a file, not a dir`,
		},
		{
			name:    "parent is a symlink",
			entries: []Entry{{Path: "lib", Kind: Symlink, Target: "usr/lib"}, {Path: "lib/x/y", Kind: File, Src: server}},
			wantErr: `parent "lib" is a symlink, not a dir`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := Write(&buf, tc.entries, Options{Compression: Gzip, Level: 6, ModTime: epoch})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Write error = %v, want one containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestLevels(t *testing.T) {
	tests := []struct {
		c       Compression
		level   int
		wantErr bool
	}{
		{c: Gzip, level: 0}, {c: Gzip, level: 1}, {c: Gzip, level: 9}, {c: Gzip, level: 10, wantErr: true}, {c: Gzip, level: -1, wantErr: true},
		{c: Zstd, level: 1}, {c: Zstd, level: 22}, {c: Zstd, level: 0, wantErr: true}, {c: Zstd, level: 23, wantErr: true},
		{c: None, level: 0}, {c: None, level: 1, wantErr: true},
	}
	for _, tc := range tests {
		_, err := Write(io.Discard, nil, Options{Compression: tc.c, Level: tc.level})
		if gotErr := err != nil; gotErr != tc.wantErr {
			t.Errorf("Write(%s level %d) error = %v, want error: %t", tc.c, tc.level, err, tc.wantErr)
		}
	}
	if _, err := ParseCompression("bzip2"); err == nil {
		t.Error(`ParseCompression("bzip2") succeeded`)
	}
}

func TestGzipHeader(t *testing.T) {
	for _, level := range []int{1, 6, 9} {
		blob, _ := build(t, nil, Options{Compression: Gzip, Level: level, ModTime: epoch})
		zr, err := gzip.NewReader(bytes.NewReader(blob))
		if err != nil {
			t.Fatal(err)
		}
		got := struct {
			Name, Comment string
			MTIME         []byte
			OS            byte
			Extra         []byte
		}{zr.Name, zr.Comment, blob[4:8], zr.OS, zr.Extra}
		want := got
		want.Name, want.Comment, want.MTIME, want.OS, want.Extra = "", "", []byte{0, 0, 0, 0}, 255, nil
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("level %d: gzip header (-want +got):\n%s", level, diff)
		}
	}
}

// bigEntries returns entries of a few MiB of compressible, seeded data, so
// pgzip has several blocks to compress in parallel.
func bigEntries(t *testing.T) []Entry {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"distroless ", "layer ", "reproducible ", "bazel ", "\n", "0123 ", "sha256 "}
	var entries []Entry
	for i := range 3 {
		var sb strings.Builder
		for sb.Len() < 1500<<10 {
			sb.WriteString(words[rng.IntN(len(words))])
			sb.WriteByte(byte(rng.IntN(256)))
		}
		name := filepath.Join("data", string(rune('a'+i)))
		entries = append(entries, Entry{Path: name, Kind: File, Src: writeSrc(t, dir, name, sb.String())})
	}
	return entries
}

func TestDigestIgnoresGOMAXPROCS(t *testing.T) {
	entries := bigEntries(t)
	for _, c := range []Compression{Gzip, Zstd} {
		t.Run(string(c), func(t *testing.T) {
			var digests []v1.Hash
			for _, procs := range []int{1, 4, 1} {
				old := runtime.GOMAXPROCS(procs)
				_, desc := build(t, entries, Options{Compression: c, Level: c.DefaultLevel(), ModTime: epoch})
				runtime.GOMAXPROCS(old)
				digests = append(digests, desc.Digest)
			}
			if digests[0] != digests[1] || digests[1] != digests[2] {
				t.Errorf("digests with GOMAXPROCS 1, 4, 1: %v", digests)
			}
		})
	}
}

func TestDeterminism(t *testing.T) {
	layerOf := func(t *testing.T, prepare func(t *testing.T, src string)) v1.Hash {
		t.Helper()
		src := t.TempDir()
		a := writeSrc(t, src, "a", "alpha\n")
		b := writeSrc(t, src, "sub/b", "beta\n")
		if prepare != nil {
			prepare(t, src)
		}
		_, desc := build(t, []Entry{
			{Path: "x/a", Kind: File, Src: a, Mode: mode(0o755)},
			{Path: "x/b", Kind: File, Src: b},
			{Path: "x/l", Kind: Symlink, Target: "a"},
		}, Options{Compression: Gzip, Level: 6, ModTime: epoch})
		return desc.Digest
	}
	want := layerOf(t, nil)
	tests := []struct {
		name    string
		prepare func(t *testing.T, src string)
	}{
		{name: "input mtimes", prepare: func(t *testing.T, src string) {
			old := time.Date(2001, 2, 3, 4, 5, 6, 7, time.UTC)
			for _, p := range []string{"a", "sub/b", "sub", "."} {
				if err := os.Chtimes(filepath.Join(src, p), old, old); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{name: "input modes", prepare: func(t *testing.T, src string) {
			for _, p := range []string{"a", "sub/b"} {
				if err := os.Chmod(filepath.Join(src, p), 0o444); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{name: "umask", prepare: func(t *testing.T, src string) {
			old := syscall.Umask(0o077)
			t.Cleanup(func() { syscall.Umask(old) })
		}},
		{name: "time zone", prepare: func(t *testing.T, src string) {
			old := time.Local
			time.Local = time.FixedZone("UTC+13:45", 13*3600+45*60)
			t.Cleanup(func() { time.Local = old })
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := layerOf(t, tc.prepare); got != want {
				t.Errorf("digest = %s, want %s", got, want)
			}
		})
	}
}

func TestEntryOrderDoesNotMatter(t *testing.T) {
	src := t.TempDir()
	a := writeSrc(t, src, "a", "alpha")
	entries := []Entry{
		{Path: "z", Kind: Dir},
		{Path: "m/a", Kind: File, Src: a},
		{Path: "b", Kind: Symlink, Target: "m/a"},
		{Path: "m", Kind: Dir, Mode: mode(0o750)},
	}
	_, want := build(t, entries, Options{Compression: Gzip, Level: 6, ModTime: epoch})
	reversed := []Entry{entries[3], entries[2], entries[1], entries[0]}
	if _, got := build(t, reversed, Options{Compression: Gzip, Level: 6, ModTime: epoch}); got != want {
		t.Errorf("reversed entries: descriptor %+v, want %+v", got, want)
	}
}

// TestGolden pins the bytes of small fixed layers. If it fails, the output
// of distill changed for everyone: a compressor upgrade or a tar change.
// Update the digests only on purpose, and say so in the change description.
func TestGolden(t *testing.T) {
	src := t.TempDir()
	hello := writeSrc(t, src, "hello", "hello, distroless\n")
	entries := []Entry{
		{Path: "app/hello", Kind: File, Src: hello, Mode: mode(0o755)},
		{Path: "etc/motd", Kind: File, Src: hello, UID: 65532, GID: 65532},
		{Path: "usr/bin/hello", Kind: Symlink, Target: "/app/hello"},
		{Path: "tmp", Kind: Dir, Mode: mode(0o1777)},
	}
	const diffID = "sha256:373cdb2d4bf7bd98dcf60f6fb21cdc9dd777b9676034d0c04a0c34e36e48f415"
	tests := []struct {
		c      Compression
		digest string
	}{
		{c: Gzip, digest: "sha256:79f9977f0db84153d745ac7f7f908e306799412f7a88b086bfd6a522c9fdd405"},
		{c: Zstd, digest: "sha256:a44b384923d124a354d490b2bbb3fecfca2da962df1af862d7548bc435d7555a"},
		{c: None, digest: diffID},
	}
	for _, tc := range tests {
		t.Run(string(tc.c), func(t *testing.T) {
			_, desc := build(t, entries, Options{Compression: tc.c, Level: tc.c.DefaultLevel(), ModTime: epoch})
			got := struct{ Digest, DiffID string }{desc.Digest.String(), desc.DiffID.String()}
			want := struct{ Digest, DiffID string }{tc.digest, diffID}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("golden descriptor (-want +got):\n%s", diff)
			}
		})
	}
}
