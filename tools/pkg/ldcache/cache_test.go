package ldcache

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestLibcmp(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"libc.so.6", "libc.so.6", 0},
		{"libz.so.10", "libz.so.9", 1},
		{"libz.so.9", "libz.so.10", -1},
		{"libz.so.01", "libz.so.1", 0},
		{"libz.so", "libz.so.1", -1},
		{"libz.so.1", "libz.so", 1},
		{"lib1", "liba", 1},
		{"liba", "lib1", -1},
		{"libA.so", "liba.so", -1},
		{"", "a", -1},
	} {
		got := Libcmp(c.a, c.b)
		if (got > 0) != (c.want > 0) || (got < 0) != (c.want < 0) {
			t.Errorf("Libcmp(%q, %q) = %d, want sign of %d", c.a, c.b, got, c.want)
		}
	}
}

func TestStringTableSharesTails(t *testing.T) {
	table, off := stringTable([]string{"/lib/libc.so.6", "libc.so.6", "libm.so.6", "/lib/libm.so.6"})
	if want := "/lib/libm.so.6\x00/lib/libc.so.6\x00"; string(table) != want {
		t.Fatalf("table %q, want %q", table, want)
	}
	if off["libc.so.6"] != 20 || off["libm.so.6"] != 5 {
		t.Errorf("offsets %v", off)
	}
}

func TestMarshalEmpty(t *testing.T) {
	got, err := Marshal(nil, "gen")
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 75)
	copy(want, "glibc-ld.so.cache1.1")
	want[28] = 2
	binary.LittleEndian.PutUint32(want[32:], 48)
	binary.LittleEndian.PutUint32(want[48:], 0xeaa42174)
	binary.LittleEndian.PutUint32(want[52:], 1)
	binary.LittleEndian.PutUint32(want[64:], 72)
	binary.LittleEndian.PutUint32(want[68:], 3)
	copy(want[72:], "gen")
	if !bytes.Equal(got, want) {
		t.Errorf("Marshal(nil) =\n% x\nwant\n% x", got, want)
	}
}

// tarOf writes the tree below root as an uncompressed layer.
func tarOf(t *testing.T, root string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		h := &tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			h.Typeflag = tar.TypeSymlink
			h.Linkname, err = os.Readlink(p)
			if err != nil {
				return err
			}
			return tw.WriteHeader(h)
		case d.IsDir():
			h.Typeflag, h.Name = tar.TypeDir, h.Name+"/"
			return tw.WriteHeader(h)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		h.Typeflag, h.Size = tar.TypeReg, int64(len(data))
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// generator reads the generator string of a cache ldconfig wrote.
func generator(t *testing.T, cache []byte) string {
	t.Helper()
	le := binary.LittleEndian
	x := le.Uint32(cache[32:])
	if le.Uint32(cache[x:]) != extMagic || le.Uint32(cache[x+8:]) != extTagGen {
		t.Fatalf("no generator section in ldconfig's cache")
	}
	off, n := le.Uint32(cache[x+16:]), le.Uint32(cache[x+20:])
	return string(cache[off : off+n])
}

type hostLib struct{ file, link string }

// hostRoot builds a root of the host's libraries: each file copied under
// its real name into dir (root-relative), with the soname link beside it.
func hostRoot(t *testing.T, root, dir string, libs []string) int {
	t.Helper()
	hostDir := "/usr/lib/x86_64-linux-gnu"
	if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, name := range libs {
		real, err := filepath.EvalSymlinks(filepath.Join(hostDir, name))
		if err != nil {
			continue
		}
		data, err := os.ReadFile(real)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(real)
		if err := os.WriteFile(filepath.Join(root, dir, base), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if base != name {
			if err := os.Symlink(base, filepath.Join(root, dir, name)); err != nil {
				t.Fatal(err)
			}
		}
		n++
	}
	return n
}

func write(t *testing.T, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, p string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

var hostLibs = []string{
	"libc.so.6", "libm.so.6", "libz.so.1", "libzstd.so.1", "libbz2.so.1.0", "liblzma.so.5",
	"libssl.so.3", "libcrypto.so.3", "libffi.so.8", "libsqlite3.so.0", "libexpat.so.1",
	"libgcc_s.so.1", "libstdc++.so.6", "libpthread.so.0", "libdl.so.2", "libuuid.so.1",
	"libreadline.so.8", "libncursesw.so.6", "libtinfo.so.6", "libmpdec.so.3", "libgdbm.so.6",
	"ld-linux-x86-64.so.2", "libresolv.so.2", "libnss_files.so.2", "libselinux.so.1", "libpcre2-8.so.0",
}

// TestMatchesLdconfig builds roots of host libraries, runs the host's
// ldconfig on them and compares its cache byte for byte with ours from
// the same files fed as a layer.
func TestMatchesLdconfig(t *testing.T) {
	ldconfig, err := exec.LookPath("ldconfig")
	if err != nil {
		t.Skip("no ldconfig on the host")
	}
	if os.Geteuid() != 0 {
		t.Skip("ldconfig -r needs chroot, so root")
	}
	if _, err := os.Stat("/usr/lib/x86_64-linux-gnu/libc.so.6"); err != nil {
		t.Skip("not an x86-64 Debian-style host")
	}
	for _, c := range []struct {
		name  string
		setup func(t *testing.T, root string)
	}{
		{"split-usr", func(t *testing.T, root string) {
			if hostRoot(t, root, "lib/x86_64-linux-gnu", hostLibs) < 5 {
				t.Skip("too few host libraries")
			}
			hostRoot(t, root, "usr/lib/x86_64-linux-gnu", []string{"libz.so.1", "libffi.so.8"})
			hostRoot(t, root, "usr/lib", []string{"libz.so.1"})
			d := filepath.Join(root, "lib/x86_64-linux-gnu")
			// A development link, a linker script, a dangling link, a link
			// under another name, a non-library and a wrong-name file.
			libz, _ := filepath.EvalSymlinks(filepath.Join(d, "libz.so.1"))
			symlink(t, filepath.Base(libz), filepath.Join(d, "libz.so"))
			write(t, filepath.Join(d, "libc.so"), "/* GNU ld script */\nGROUP ( /lib/x86_64-linux-gnu/libc.so.6 )\n")
			symlink(t, "libgone.so.1.0", filepath.Join(d, "libgone.so.1"))
			symlink(t, "libm.so.6", filepath.Join(d, "libmath-alias.so.9"))
			write(t, filepath.Join(d, "libnot.so.1"), "not elf")
			data, _ := os.ReadFile(filepath.Join(d, "libm.so.6"))
			write(t, filepath.Join(d, "notalib.so"), string(data))
			symlink(t, "/lib/x86_64-linux-gnu/libc.so.6", filepath.Join(root, "lib/libabs.so.6"))
		}},
		{"merged-usr", func(t *testing.T, root string) {
			if hostRoot(t, root, "usr/lib/x86_64-linux-gnu", hostLibs) < 5 {
				t.Skip("too few host libraries")
			}
			hostRoot(t, root, "usr/lib", []string{"libz.so.1"})
			symlink(t, "usr/lib", filepath.Join(root, "lib"))
			symlink(t, "usr/lib64", filepath.Join(root, "lib64"))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "root")
			c.setup(t, root)
			layer := tarOf(t, root)
			write(t, filepath.Join(root, "etc/ld.so.conf"), "")
			out, err := exec.Command(ldconfig, "-r", root, "-X", "-f", "/etc/ld.so.conf", "-C", "/etc/ld.so.cache").CombinedOutput()
			if err != nil {
				t.Fatalf("ldconfig: %v\n%s", err, out)
			}
			want, err := os.ReadFile(filepath.Join(root, "etc/ld.so.cache"))
			if err != nil {
				t.Fatal(err)
			}
			tree := NewTree()
			if err := tree.AddLayer(bytes.NewReader(layer)); err != nil {
				t.Fatal(err)
			}
			entries := tree.Entries(Archs["amd64"])
			got, err := Marshal(entries, generator(t, want))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				p, _ := exec.Command(ldconfig, "-p", "-C", filepath.Join(root, "etc/ld.so.cache")).CombinedOutput()
				t.Fatalf("cache differs from ldconfig's (%d vs %d bytes)\nours: %v\nldconfig -p:\n%s", len(got), len(want), entries, p)
			}
			// ldconfig reads ours back.
			write(t, filepath.Join(root, "etc/ours.cache"), string(got))
			p, err := exec.Command(ldconfig, "-r", root, "-p", "-C", "/etc/ours.cache").CombinedOutput()
			if err != nil {
				t.Fatalf("ldconfig -p: %v\n%s", err, p)
			}
			if !strings.Contains(string(p), "libc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6") {
				t.Errorf("ldconfig -p of our cache lacks libc.so.6:\n%s", p)
			}
			t.Logf("%d entries, %d bytes, identical to ldconfig's\n%s", len(entries), len(got), p)
		})
	}
}
