package deblayer

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
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

	"github.com/rules-distill/rules_distill/tools/internal/debtest"
	"github.com/rules-distill/rules_distill/tools/internal/layertest"
	"github.com/rules-distill/rules_distill/tools/pkg/deb"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
)

var epoch = time.Unix(1700000000, 0).UTC()

func gzipOpts() Options {
	return Options{Layer: layer.Options{Compression: layer.Gzip, Level: 6, ModTime: epoch}}
}

// convert turns the .deb b into a layer, checks the layer against its
// descriptor, and returns it with the notes.
func convert(t *testing.T, b []byte, opts Options) ([]byte, descriptor.Layer, []string, error) {
	t.Helper()
	d, err := deb.Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("deb.Open: %v", err)
	}
	var notes []string
	opts.Note = func(s string) { notes = append(notes, s) }
	var buf bytes.Buffer
	desc, err := Write(&buf, d, opts)
	if err != nil {
		return nil, desc, notes, err
	}
	checkLayer(t, buf.Bytes(), desc)
	return buf.Bytes(), desc, notes, nil
}

// checkLayer checks blob against desc, with validate.Layer for gzip.
func checkLayer(t *testing.T, blob []byte, desc descriptor.Layer) {
	t.Helper()
	if got := layertest.SHA256(blob); got != desc.Digest || int64(len(blob)) != desc.Size {
		t.Errorf("blob has digest %s and size %d, descriptor %s and %d", got, len(blob), desc.Digest, desc.Size)
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

// entry is what a test checks of a layer's tar entry. Every entry must
// have mtime = epoch and empty owner names; readLayer checks that.
type entry struct {
	Name     string
	Type     byte
	Mode     int64
	UID, GID int
	Linkname string
	Content  string
}

func readLayer(t *testing.T, blob []byte, mt types.MediaType) []entry {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(layertest.Uncompress(t, blob, mt)))
	var got []entry
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		if !h.ModTime.Equal(epoch) || h.Uname != "" || h.Gname != "" || !h.AccessTime.IsZero() || !h.ChangeTime.IsZero() {
			t.Errorf("entry %q: mtime %v, owner names %q:%q, atime %v, ctime %v; want mtime %v, no names, no atime or ctime",
				h.Name, h.ModTime, h.Uname, h.Gname, h.AccessTime, h.ChangeTime, epoch)
		}
		content, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, entry{Name: h.Name, Type: h.Typeflag, Mode: h.Mode, UID: h.Uid, GID: h.Gid, Linkname: h.Linkname, Content: string(content)})
	}
}

func dir(name string, mode int64) entry { return entry{Name: name, Type: tar.TypeDir, Mode: mode} }
func file(name string, mode int64, content string) entry {
	return entry{Name: name, Type: tar.TypeReg, Mode: mode, Content: content}
}
func symlink(name, target string) entry {
	return entry{Name: name, Type: tar.TypeSymlink, Mode: 0o777, Linkname: target}
}
func hardlink(name, target string, mode int64) entry {
	return entry{Name: name, Type: tar.TypeLink, Mode: mode, Linkname: target}
}
func (e entry) owned(uid, gid int) entry {
	e.UID, e.GID = uid, gid
	return e
}

// status returns the status.d entries of package hello, with md5sums when given.
func status(md5sums string) []entry {
	es := []entry{dir("var/", 0o755), dir("var/lib/", 0o755), dir("var/lib/dpkg/", 0o755), dir("var/lib/dpkg/status.d/", 0o755),
		file("var/lib/dpkg/status.d/hello", 0o644, debtest.DefaultControl)}
	if md5sums != "" {
		es = append(es, file("var/lib/dpkg/status.d/hello.md5sums", 0o644, md5sums))
	}
	return es
}

const md5sums = "d41d8cd98f00b204e9800998ecf8427e  usr/bin/hello\n"

// docsPackage has a bit of everything: docs, hardlinks into docs, setuid
// and setgid files, owners, a symlink like base-files' etc/os-release.
var docsPackage = []debtest.Entry{
	debtest.Dir("./", 0o755),
	debtest.Dir("./etc/", 0o755),
	debtest.File("./etc/hello.conf", 0o644, "greeting=hello\n"),
	debtest.File("./etc/hello.secret", 0o640, "secret\n").Owned(0, 42),
	debtest.File("./etc/typebits", 0o100600, "mode with S_IFREG\n"),
	debtest.Symlink("./etc/os-release", "../usr/lib/os-release"),
	debtest.Dir("./tmp/", 0o1777),
	debtest.Dir("./usr/", 0o755),
	debtest.Dir("./usr/bin/", 0o755),
	debtest.File("./usr/bin/hello", 0o4755, "#!hello\n"),
	debtest.File("./usr/bin/wall", 0o2755, "#!wall\n").Owned(0, 5),
	debtest.File("./usr/bin/both", 0o6755, "#!both\n"),
	debtest.Hardlink("./usr/bin/hi", "./usr/bin/hello"),
	debtest.Symlink("./usr/bin/hey", "hello"),
	debtest.Dir("./usr/lib/", 0o755),
	debtest.File("./usr/lib/os-release", 0o644, "ID=debian\n"),
	debtest.Dir("./usr/share/", 0o755),
	debtest.Dir("./usr/share/doc/", 0o755),
	debtest.Dir("./usr/share/doc/hello/", 0o755),
	debtest.File("./usr/share/doc/hello/README", 0o644, "read me\n"),
	debtest.File("./usr/share/doc/hello/changelog.Debian.gz", 0o644, "changes"),
	debtest.File("./usr/share/doc/hello/copyright", 0o644, "license\n"),
	debtest.Dir("./usr/share/doc/hello-data/", 0o755),
	debtest.File("./usr/share/doc/hello-data/copyright", 0o644, "another license\n"),
	debtest.Dir("./usr/share/doc-base/", 0o755),
	debtest.File("./usr/share/doc-base/hello", 0o644, "Document: hello\n"),
	debtest.Dir("./usr/share/hello/", 0o755),
	// Hardlinks to a dropped doc file: the first becomes the file, the
	// second a hardlink to it.
	debtest.Hardlink("./usr/share/hello/README", "./usr/share/doc/hello/README"),
	debtest.Hardlink("./usr/share/hello/README.again", "./usr/share/doc/hello/README"),
	debtest.Dir("./usr/share/info/", 0o755),
	debtest.File("./usr/share/info/hello.info.gz", 0o644, "info"),
	debtest.Dir("./usr/share/lintian/", 0o755),
	debtest.Dir("./usr/share/lintian/overrides/", 0o755),
	debtest.File("./usr/share/lintian/overrides/hello", 0o644, "hello: some-tag\n"),
	debtest.Dir("./usr/share/man/", 0o755),
	debtest.Dir("./usr/share/man/man1/", 0o755),
	debtest.File("./usr/share/man/man1/hello.1.gz", 0o644, "man"),
	debtest.Symlink("./usr/share/man/man1/hi.1.gz", "hello.1.gz"),
	debtest.Hardlink("./usr/share/man/man1/hey.1.gz", "./usr/share/man/man1/hello.1.gz"),
	debtest.Dir("./var/", 0o755),
	debtest.Dir("./var/local/", 0o2775).Owned(0, 50),
}

// wantKept are the entries of docsPackage up to usr/share/doc/hello.
var wantKept = []entry{
	dir("etc/", 0o755),
	file("etc/hello.conf", 0o644, "greeting=hello\n"),
	file("etc/hello.secret", 0o640, "secret\n").owned(0, 42),
	file("etc/typebits", 0o600, "mode with S_IFREG\n"),
	symlink("etc/os-release", "../usr/lib/os-release"),
	dir("tmp/", 0o1777),
	dir("usr/", 0o755),
	dir("usr/bin/", 0o755),
	file("usr/bin/hello", 0o4755, "#!hello\n"),
	file("usr/bin/wall", 0o2755, "#!wall\n").owned(0, 5),
	file("usr/bin/both", 0o6755, "#!both\n"),
	hardlink("usr/bin/hi", "usr/bin/hello", 0o4755),
	symlink("usr/bin/hey", "hello"),
	dir("usr/lib/", 0o755),
	file("usr/lib/os-release", 0o644, "ID=debian\n"),
	dir("usr/share/", 0o755),
	dir("usr/share/doc/", 0o755),
	dir("usr/share/doc/hello/", 0o755),
}

func TestWrite(t *testing.T) {
	setuidNotes := []string{
		"hello: setuid file usr/bin/hello (mode 4755)",
		"hello: setgid file usr/bin/wall (mode 2755)",
		"hello: setuid and setgid file usr/bin/both (mode 6755)",
		"hello: setuid file usr/bin/hi (mode 4755)",
	}
	tests := []struct {
		name      string
		pkg       debtest.Package
		keepDocs  bool
		mergedUsr bool
		want      []entry
		wantNotes []string
	}{
		{
			name: "docs dropped",
			pkg:  debtest.Package{Data: docsPackage, MD5Sums: md5sums},
			want: concat(wantKept, []entry{
				file("usr/share/doc/hello/copyright", 0o644, "license\n"),
				dir("usr/share/hello/", 0o755),
				file("usr/share/hello/README", 0o644, "read me\n"),
				hardlink("usr/share/hello/README.again", "usr/share/hello/README", 0o644),
				dir("var/", 0o755),
				dir("var/local/", 0o2775).owned(0, 50),
			}, status(md5sums)[1:]),
			wantNotes: setuidNotes,
		},
		{
			name:     "docs kept",
			pkg:      debtest.Package{Data: docsPackage},
			keepDocs: true,
			want: concat(wantKept, []entry{
				file("usr/share/doc/hello/README", 0o644, "read me\n"),
				file("usr/share/doc/hello/changelog.Debian.gz", 0o644, "changes"),
				file("usr/share/doc/hello/copyright", 0o644, "license\n"),
				dir("usr/share/doc/hello-data/", 0o755),
				file("usr/share/doc/hello-data/copyright", 0o644, "another license\n"),
				dir("usr/share/doc-base/", 0o755),
				file("usr/share/doc-base/hello", 0o644, "Document: hello\n"),
				dir("usr/share/hello/", 0o755),
				hardlink("usr/share/hello/README", "usr/share/doc/hello/README", 0o644),
				hardlink("usr/share/hello/README.again", "usr/share/doc/hello/README", 0o644),
				dir("usr/share/info/", 0o755),
				file("usr/share/info/hello.info.gz", 0o644, "info"),
				dir("usr/share/lintian/", 0o755),
				dir("usr/share/lintian/overrides/", 0o755),
				file("usr/share/lintian/overrides/hello", 0o644, "hello: some-tag\n"),
				dir("usr/share/man/", 0o755),
				dir("usr/share/man/man1/", 0o755),
				file("usr/share/man/man1/hello.1.gz", 0o644, "man"),
				symlink("usr/share/man/man1/hi.1.gz", "hello.1.gz"),
				hardlink("usr/share/man/man1/hey.1.gz", "usr/share/man/man1/hello.1.gz", 0o644),
				dir("var/", 0o755),
				dir("var/local/", 0o2775).owned(0, 50),
			}, status("")[1:]),
			wantNotes: setuidNotes,
		},
		{
			name: "names without ./ and missing parents",
			pkg: debtest.Package{Data: []debtest.Entry{
				debtest.File("usr/lib/hello/data", 0o644, "data"),
				debtest.Dir("usr/lib/hello/sub/", 0o700).Owned(1, 2),
				debtest.Dir("usr/", 0o755), // after its contents, as the implicit one: kept once
				debtest.File("./etc/a/b/c", 0o600, "c"),
			}},
			want: concat([]entry{
				dir("usr/", 0o755), dir("usr/lib/", 0o755), dir("usr/lib/hello/", 0o755),
				file("usr/lib/hello/data", 0o644, "data"),
				dir("usr/lib/hello/sub/", 0o700).owned(1, 2),
				dir("etc/", 0o755), dir("etc/a/", 0o755), dir("etc/a/b/", 0o755),
				file("etc/a/b/c", 0o600, "c"),
			}, status("")),
		},
		{
			name: "doc directory is a symlink",
			pkg: debtest.Package{Data: []debtest.Entry{
				debtest.Dir("./usr/share/doc/", 0o755),
				debtest.Symlink("./usr/share/doc/hello", "hello-common"),
				debtest.Symlink("./usr/share/doc/hello-dev", "hello-common"),
			}},
			want: concat([]entry{
				dir("usr/", 0o755), dir("usr/share/", 0o755), dir("usr/share/doc/", 0o755),
				symlink("usr/share/doc/hello", "hello-common"),
			}, status("")),
		},
		{
			name: "hardlink chains",
			pkg: debtest.Package{Data: []debtest.Entry{
				debtest.File("./a", 0o755, "A"),
				debtest.Hardlink("./b", "./a"),
				debtest.Hardlink("./c", "./b"),
				debtest.Hardlink("d", "a"),
			}},
			want: concat([]entry{
				file("a", 0o755, "A"),
				hardlink("b", "a", 0o755),
				hardlink("c", "a", 0o755),
				hardlink("d", "a", 0o755),
			}, status("")),
		},
		{
			name:      "merged usr",
			mergedUsr: true,
			pkg: debtest.Package{Data: []debtest.Entry{
				debtest.Dir("./", 0o755),
				debtest.Dir("./bin/", 0o755),
				debtest.File("./bin/sh", 0o755, "#!sh\n"),
				debtest.Symlink("./bin/rsh", "sh"),
				debtest.Dir("./lib/", 0o755),
				debtest.Dir("./lib/x86_64-linux-gnu/", 0o755),
				debtest.File("./lib/x86_64-linux-gnu/libc.so.6", 0o644, "libc"),
				debtest.Symlink("./lib64", "usr/lib64"),
				debtest.Dir("./sbin/", 0o755),
				debtest.Hardlink("./sbin/init", "./bin/sh"),
				debtest.Dir("./usr/", 0o755),
				debtest.Dir("./usr/lib/", 0o755),
				debtest.Dir("./usr/lib/x86_64-linux-gnu/", 0o755),
				debtest.File("./usr/lib/x86_64-linux-gnu/libm.so.6", 0o644, "libm"),
				debtest.Dir("./usr/lib64/", 0o755),
				debtest.Symlink("./usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
				debtest.Dir("./libexec/", 0o755), // not one of the merged names
			}},
			want: concat([]entry{
				dir("usr/", 0o755), dir("usr/bin/", 0o755),
				file("usr/bin/sh", 0o755, "#!sh\n"),
				symlink("usr/bin/rsh", "sh"),
				dir("usr/lib/", 0o755),
				dir("usr/lib/x86_64-linux-gnu/", 0o755),
				file("usr/lib/x86_64-linux-gnu/libc.so.6", 0o644, "libc"),
				symlink("lib64", "usr/lib64"),
				dir("usr/sbin/", 0o755),
				hardlink("usr/sbin/init", "usr/bin/sh", 0o755),
				file("usr/lib/x86_64-linux-gnu/libm.so.6", 0o644, "libm"),
				dir("usr/lib64/", 0o755),
				symlink("usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
				dir("libexec/", 0o755),
			}, status("")),
		},
		{
			name: "merged-usr names without merged usr",
			pkg: debtest.Package{Data: []debtest.Entry{
				debtest.Dir("./bin/", 0o755),
				debtest.File("./bin/sh", 0o755, "#!sh\n"),
				debtest.Symlink("./lib64", "usr/lib64"),
			}},
			want: concat([]entry{
				dir("bin/", 0o755),
				file("bin/sh", 0o755, "#!sh\n"),
				symlink("lib64", "usr/lib64"),
			}, status("")),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := gzipOpts()
			opts.KeepDocs, opts.MergedUsr = tc.keepDocs, tc.mergedUsr
			blob, desc, notes, err := convert(t, tc.pkg.Build(t), opts)
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			if diff := cmp.Diff(tc.want, readLayer(t, blob, desc.MediaType)); diff != "" {
				t.Errorf("layer entries (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantNotes, notes); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
		})
	}
}

func concat(parts ...[]entry) []entry {
	var all []entry
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

func TestWriteErrors(t *testing.T) {
	truncated := func() []byte {
		p := debtest.Package{Data: docsPackage, DataCompression: deb.Gzip}
		ms := p.Members(t)
		ms[2].Data = ms[2].Data[:len(ms[2].Data)-40]
		return debtest.Ar(ms)
	}
	wrongMagic := func() []byte {
		p := debtest.Package{Data: docsPackage, DataCompression: deb.Gzip}
		ms := p.Members(t)
		ms[2].Name = "data.tar.zst"
		return debtest.Ar(ms)
	}
	tests := []struct {
		name      string
		data      []debtest.Entry
		deb       []byte // instead of data
		mergedUsr bool
		wantErr   string
	}{
		{name: "absolute name", data: []debtest.Entry{debtest.File("/etc/passwd", 0o644, "x")}, wantErr: `hello: entry "/etc/passwd": absolute name`},
		{name: "dot dot", data: []debtest.Entry{debtest.File("./usr/../../etc/passwd", 0o644, "x")}, wantErr: `hello: entry "./usr/../../etc/passwd": ".." element in name`},
		{name: "dot dot dir", data: []debtest.Entry{debtest.Dir("../", 0o755)}, wantErr: `hello: entry "../": ".." element`},
		{name: "dot element", data: []debtest.Entry{debtest.File("./usr/./bin", 0o644, "x")}, wantErr: `hello: entry "./usr/./bin": "." element`},
		{name: "empty element", data: []debtest.Entry{debtest.File("./usr//bin", 0o644, "x")}, wantErr: `hello: entry "./usr//bin": empty element`},
		{name: "file with trailing slash", data: []debtest.Entry{raw(debtest.File("./usr/bin/x/", 0o644, "x"))}, wantErr: `hello: entry "./usr/bin/x/": trailing slash on a name that is not a directory`},
		{name: "root as a file", data: []debtest.Entry{raw(debtest.File("./", 0o644, "x"))}, wantErr: `hello: entry "./": the image root as a file`},
		{name: "symlink leaving the root", data: []debtest.Entry{debtest.Symlink("./etc/passwd", "../../etc/shadow")}, wantErr: `hello: entry "./etc/passwd": symlink to "../../etc/shadow" leaves the image root from "etc/passwd"`},
		{name: "symlink at the root leaving it", data: []debtest.Entry{debtest.Symlink("./x", "..")}, wantErr: `symlink to ".." leaves the image root`},
		{name: "absolute symlink leaving the root", data: []debtest.Entry{debtest.Symlink("./usr/x", "/usr/../../etc")}, wantErr: `hello: entry "./usr/x": symlink to "/usr/../../etc" leaves the image root`},
		{name: "symlink without target", data: []debtest.Entry{debtest.Symlink("./x", "")}, wantErr: `hello: entry "./x": symlink without a target`},
		{name: "hardlink to nothing", data: []debtest.Entry{debtest.Hardlink("./a", "./b")}, wantErr: `hello: entry "./a": hardlink to "./b", which is not an earlier entry of the package`},
		{name: "hardlink to a later entry", data: []debtest.Entry{debtest.Hardlink("./a", "./b"), debtest.File("./b", 0o644, "b")}, wantErr: `hello: entry "./a": hardlink to "./b", which is not an earlier entry`},
		{name: "hardlink leaving the root", data: []debtest.Entry{debtest.File("./a", 0o644, "a"), debtest.Hardlink("./b", "../a")}, wantErr: `hello: entry "./b": hardlink to "../a": ".." element`},
		{name: "hardlink to an absolute name", data: []debtest.Entry{debtest.Hardlink("./b", "/etc/passwd")}, wantErr: `hello: entry "./b": hardlink to "/etc/passwd": absolute name`},
		{name: "hardlink to the root", data: []debtest.Entry{debtest.Hardlink("./b", "./")}, wantErr: `hello: entry "./b": hardlink to "./", which is not an earlier entry`},
		{name: "hardlink to a directory", data: []debtest.Entry{debtest.Dir("./d/", 0o755), debtest.Hardlink("./b", "./d")}, wantErr: `hello: entry "./b": hardlink to "./d", a dir: only regular files`},
		{name: "hardlink to a symlink", data: []debtest.Entry{debtest.Symlink("./s", "a"), debtest.Hardlink("./b", "./s")}, wantErr: `hardlink to "./s", a symlink`},
		{name: "character device", data: []debtest.Entry{debtest.Special("./dev/null", tar.TypeChar)}, wantErr: `hello: entry "./dev/null": character device`},
		{name: "block device", data: []debtest.Entry{debtest.Special("./dev/sda", tar.TypeBlock)}, wantErr: `hello: entry "./dev/sda": block device`},
		{name: "fifo", data: []debtest.Entry{debtest.Special("./run/initctl", tar.TypeFifo)}, wantErr: `hello: entry "./run/initctl": FIFO`},
		{name: "contiguous file", data: []debtest.Entry{debtest.Special("./x", tar.TypeCont)}, wantErr: `hello: entry "./x": unsupported tar entry type '7'`},
		{name: "same name twice", data: []debtest.Entry{debtest.File("./a", 0o644, "a"), debtest.File("./a", 0o644, "b")}, wantErr: `hello: entry "./a": goes to "a", as entry "./a" does`},
		{name: "directory twice differently", data: []debtest.Entry{debtest.Dir("./a/", 0o755), debtest.Dir("./a", 0o700)}, wantErr: `hello: entry "./a": goes to "a", as entry "./a/" does (dir mode 0755 owner 0:0, now dir mode 0700 owner 0:0)`},
		{name: "directory after its contents, differently", data: []debtest.Entry{debtest.File("./a/b", 0o644, "b"), debtest.Dir("./a/", 0o700)}, wantErr: `hello: entry "./a/": path "a": already in the layer as dir mode 0755`},
		{name: "parent is a symlink", data: []debtest.Entry{debtest.Symlink("./lib", "usr/lib"), debtest.File("./lib/x", 0o644, "x")}, wantErr: `hello: entry "./lib/x": path "lib/x": parent "lib" is a symlink, not a dir`},
		{name: "package ships its status file", data: []debtest.Entry{debtest.File("./var/lib/dpkg/status.d/hello", 0o644, "x")}, wantErr: `hello: writing package metadata: path "var/lib/dpkg/status.d/hello": already in the layer`},
		{
			name:      "merged usr: a file twice",
			mergedUsr: true,
			data:      []debtest.Entry{debtest.File("./lib/libc.so.6", 0o644, "a"), debtest.File("./usr/lib/libc.so.6", 0o644, "b")},
			wantErr:   `hello: entry "./usr/lib/libc.so.6": goes to "usr/lib/libc.so.6", as entry "./lib/libc.so.6" does (file of 1 bytes mode 0644 owner 0:0, now file of 1 bytes mode 0644 owner 0:0)`,
		},
		{
			name:      "merged usr: a symlink and a file",
			mergedUsr: true,
			data:      []debtest.Entry{debtest.File("./usr/bin/sh", 0o755, "sh"), debtest.Symlink("./bin/sh", "/usr/bin/sh")},
			wantErr:   `hello: entry "./bin/sh": goes to "usr/bin/sh", as entry "./usr/bin/sh" does`,
		},
		{
			name:      "merged usr: directories that differ",
			mergedUsr: true,
			data:      []debtest.Entry{debtest.Dir("./lib/x/", 0o755), debtest.Dir("./usr/lib/x/", 0o700)},
			wantErr:   `hello: entry "./usr/lib/x/": goes to "usr/lib/x", as entry "./lib/x/" does`,
		},
		{
			name:      "merged usr: a top-level file",
			mergedUsr: true,
			data:      []debtest.Entry{debtest.File("./lib", 0o644, "x")},
			wantErr:   `hello: entry "./lib": a file at "lib": with merged usr, top-level lib must be a directory (dropped) or a symlink (kept)`,
		},
		{name: "truncated data", deb: truncated(), wantErr: `hello: data.tar.gz: truncated after entry`},
		{name: "wrong compression", deb: wrongMagic(), wantErr: `hello: data.tar.zst: not zstd data (starts with 1f 8b 08 00, want 28 b5 2f fd)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.deb
			if b == nil {
				b = debtest.Package{Data: tc.data}.Build(t)
			}
			opts := gzipOpts()
			opts.MergedUsr = tc.mergedUsr
			_, _, _, err := convert(t, b, opts)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Write error = %v, want one containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func raw(e debtest.Entry) debtest.Entry {
	e.Raw = true
	return e
}

// TestMemberCompressionDoesNotMatter: the layer depends on the package's
// entries, not on how its members are compressed.
func TestMemberCompressionDoesNotMatter(t *testing.T) {
	var want v1.Hash
	for _, cc := range debtest.Compressions {
		for _, dc := range debtest.Compressions {
			p := debtest.Package{Data: docsPackage, MD5Sums: md5sums, ControlCompression: cc, DataCompression: dc}
			_, desc, _, err := convert(t, p.Build(t), gzipOpts())
			if err != nil {
				t.Fatalf("control %s, data %s: %v", cc, dc, err)
			}
			if want.Hex == "" {
				want = desc.Digest
			} else if desc.Digest != want {
				t.Errorf("control %s, data %s: digest %s, want %s", cc, dc, desc.Digest, want)
			}
		}
	}
}

// bigPackage has a few MiB of compressible, seeded data, so that pgzip
// compresses several blocks in parallel.
func bigPackage(t *testing.T) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"distroless ", "layer ", "reproducible ", "debian ", "\n", "0123 ", "sha256 "}
	data := append([]debtest.Entry(nil), docsPackage...)
	for i := range 3 {
		var sb strings.Builder
		for sb.Len() < 1500<<10 {
			sb.WriteString(words[rng.IntN(len(words))])
			sb.WriteByte(byte(rng.IntN(256)))
		}
		data = append(data, debtest.File("./usr/share/hello/big"+string(rune('a'+i)), 0o644, sb.String()))
	}
	return debtest.Package{Data: data, DataCompression: deb.Xz}.Build(t)
}

func TestDeterminism(t *testing.T) {
	b := bigPackage(t)
	for _, c := range []layer.Compression{layer.Gzip, layer.Zstd} {
		t.Run(string(c), func(t *testing.T) {
			opts := Options{Layer: layer.Options{Compression: c, Level: c.DefaultLevel(), ModTime: epoch}}
			digest := func() v1.Hash {
				_, desc, _, err := convert(t, b, opts)
				if err != nil {
					t.Fatal(err)
				}
				return desc.Digest
			}
			want := digest()
			tests := []struct {
				name    string
				prepare func(t *testing.T)
			}{
				{name: "again"},
				{name: "one core", prepare: func(t *testing.T) {
					old := runtime.GOMAXPROCS(1)
					t.Cleanup(func() { runtime.GOMAXPROCS(old) })
				}},
				{name: "four cores", prepare: func(t *testing.T) {
					old := runtime.GOMAXPROCS(4)
					t.Cleanup(func() { runtime.GOMAXPROCS(old) })
				}},
				{name: "umask", prepare: func(t *testing.T) {
					old := syscall.Umask(0o077)
					t.Cleanup(func() { syscall.Umask(old) })
				}},
				{name: "time zone", prepare: func(t *testing.T) {
					old := time.Local
					time.Local = time.FixedZone("UTC+13:45", 13*3600+45*60)
					t.Cleanup(func() { time.Local = old })
				}},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					if tc.prepare != nil {
						tc.prepare(t)
					}
					if got := digest(); got != want {
						t.Errorf("digest = %s, want %s", got, want)
					}
				})
			}
		})
	}
}

// TestGolden pins the layer of a tiny synthetic package. If it fails, the
// layers of every Debian package changed: a compressor upgrade or a change
// of the conversion. Update the digests only on purpose, and say so.
func TestGolden(t *testing.T) {
	p := debtest.Package{MD5Sums: md5sums, DataCompression: deb.Xz, ControlCompression: deb.Xz, Data: []debtest.Entry{
		debtest.Dir("./", 0o755),
		debtest.Dir("./usr/", 0o755),
		debtest.Dir("./usr/bin/", 0o755),
		debtest.File("./usr/bin/hello", 0o755, "#!/bin/hello\n"),
		debtest.Hardlink("./usr/bin/hi", "./usr/bin/hello"),
		debtest.Symlink("./usr/bin/hey", "hello"),
		debtest.Dir("./usr/share/", 0o755),
		debtest.Dir("./usr/share/doc/", 0o755),
		debtest.Dir("./usr/share/doc/hello/", 0o755),
		debtest.File("./usr/share/doc/hello/changelog.gz", 0o644, "changes"),
		debtest.File("./usr/share/doc/hello/copyright", 0o644, "license\n"),
	}}
	const diffID = "sha256:a4dd2ad33cb420ddcac5dc7e9f56348f4962814e81d2a17e9a4cba52933410df"
	tests := []struct {
		c      layer.Compression
		digest string
	}{
		{c: layer.Gzip, digest: "sha256:ebe309927be696557f5a901a7a3540bfdc66556210a89c48872356871b9927d0"},
		{c: layer.Zstd, digest: "sha256:a90506ee2366bcf7b2c4ce7b826679808884a59db64ac4a34d13459b60abd68a"},
		{c: layer.None, digest: diffID},
	}
	for _, tc := range tests {
		t.Run(string(tc.c), func(t *testing.T) {
			opts := Options{Layer: layer.Options{Compression: tc.c, Level: tc.c.DefaultLevel(), ModTime: epoch}}
			_, desc, _, err := convert(t, p.Build(t), opts)
			if err != nil {
				t.Fatal(err)
			}
			got := struct{ Digest, DiffID string }{desc.Digest.String(), desc.DiffID.String()}
			want := struct{ Digest, DiffID string }{tc.digest, diffID}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("golden descriptor (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRealPackage turns the real netbase package of testdata/ (see its
// README) into a layer.
func TestRealPackage(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	control, md5 := string(read("netbase_6.4_all.control")), string(read("netbase_6.4_all.md5sums"))
	blob, desc, notes, err := convert(t, read("netbase_6.4_all.deb"), gzipOpts())
	if err != nil {
		t.Fatal(err)
	}
	var got []entry
	for _, e := range readLayer(t, blob, desc.MediaType) {
		if e.Type == tar.TypeReg && !strings.HasPrefix(e.Name, StatusDir) {
			e.Content = "" // the contents are the package's; only the names matter here
		}
		got = append(got, e)
	}
	want := []entry{
		dir("etc/", 0o755),
		file("etc/ethertypes", 0o644, ""),
		file("etc/protocols", 0o644, ""),
		file("etc/rpc", 0o644, ""),
		file("etc/services", 0o644, ""),
		dir("usr/", 0o755),
		dir("usr/share/", 0o755),
		dir("usr/share/doc/", 0o755),
		dir("usr/share/doc/netbase/", 0o755),
		file("usr/share/doc/netbase/copyright", 0o644, ""), // changelog.gz dropped
		dir("var/", 0o755),
		dir("var/lib/", 0o755),
		dir("var/lib/dpkg/", 0o755),
		dir("var/lib/dpkg/status.d/", 0o755),
		file("var/lib/dpkg/status.d/netbase", 0o644, control),
		file("var/lib/dpkg/status.d/netbase.md5sums", 0o644, md5),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("layer entries (-want +got):\n%s", diff)
	}
	if len(notes) != 0 {
		t.Errorf("notes = %q, want none", notes)
	}
}

// TestRealDebs downloads real Debian packages with apt-get and turns them
// into layers. It needs the network and apt: set DISTILL_TEST_REAL_DEBS=1.
func TestRealDebs(t *testing.T) {
	if os.Getenv("DISTILL_TEST_REAL_DEBS") != "1" {
		t.Skip("downloads packages with apt-get: set DISTILL_TEST_REAL_DEBS=1 to run it")
	}
	pkgs := []string{"tzdata", "libc6", "base-files", "ca-certificates"}
	dir := t.TempDir()
	cmd := exec.Command("apt-get", append([]string{"download"}, pkgs...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("apt-get download: %v\n%s", err, out)
	}
	// A few entries each package's layer must have (as a path or its end),
	// and its own copyright.
	must := map[string][]string{
		"tzdata":          {"usr/share/zoneinfo/UTC", "usr/share/zoneinfo/Europe/Berlin"},
		"libc6":           {"libc.so.6"},
		"base-files":      {"etc/os-release", "usr/lib/os-release", "tmp/"},
		"ca-certificates": {"usr/sbin/update-ca-certificates"},
	}
	for _, pkg := range pkgs {
		t.Run(pkg, func(t *testing.T) {
			matches, err := filepath.Glob(filepath.Join(dir, pkg+"_*.deb"))
			if err != nil || len(matches) != 1 {
				t.Fatalf("downloaded %s: %q, %v", pkg, matches, err)
			}
			b, err := os.ReadFile(matches[0])
			if err != nil {
				t.Fatal(err)
			}
			d, err := deb.Open(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			for _, merged := range []bool{false, true} {
				opts := gzipOpts()
				opts.MergedUsr = merged
				blob, desc, _, err := convert(t, b, opts)
				if err != nil {
					t.Fatalf("merged usr %t: %v", merged, err)
				}
				names := map[string]entry{}
				for _, e := range readLayer(t, blob, desc.MediaType) {
					names[e.Name] = e
					doc, isDoc := strings.CutPrefix(e.Name, "usr/share/doc/")
					switch {
					case strings.HasPrefix(e.Name, "usr/share/man/"), isDoc && doc != "" && doc != pkg+"/" && doc != pkg+"/copyright" && doc != pkg:
						t.Errorf("merged usr %t: documentation %q kept", merged, e.Name)
					case merged && (strings.HasPrefix(e.Name, "lib/") || strings.HasPrefix(e.Name, "bin/") || strings.HasPrefix(e.Name, "sbin/")):
						t.Errorf("merged usr: %q not moved below usr/", e.Name)
					}
				}
				if got := names[StatusDir+"/"+pkg].Content; got != string(d.Control) {
					t.Errorf("status.d/%s = %q, want the control file %q", pkg, got, d.Control)
				}
				if _, ok := names["usr/share/doc/"+pkg+"/copyright"]; !ok {
					t.Errorf("merged usr %t: no usr/share/doc/%s/copyright", merged, pkg)
				}
			must:
				for _, m := range must[pkg] {
					for name := range names {
						if name == m || strings.HasSuffix(name, "/"+m) {
							continue must
						}
					}
					t.Errorf("merged usr %t: no %s in the layer", merged, m)
				}
			}
		})
	}
}
