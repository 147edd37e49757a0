package debtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/rules-distill/rules_distill/tools/pkg/deb"
)

// Compressions are the compressions of .deb members, in a fixed order.
var Compressions = []deb.Compression{deb.None, deb.Gzip, deb.Xz, deb.Zstd}

// Ext returns the member name extension of c: "", ".gz", ".xz" or ".zst".
func Ext(c deb.Compression) string {
	switch c {
	case deb.Gzip:
		return ".gz"
	case deb.Xz:
		return ".xz"
	case deb.Zstd:
		return ".zst"
	}
	return ""
}

// mtime is the mtime of every entry of a test package: not the epoch, so
// tests see that layers do not keep it.
var mtime = time.Date(2023, 2, 11, 13, 46, 0, 0, time.UTC)

// Entry is one tar entry of a test package and its content.
type Entry struct {
	tar.Header
	Body string
	// Raw encodes the header by hand (USTAR, name up to 100 bytes),
	// bypassing archive/tar's checks, for entries it refuses to write.
	Raw bool
}

func header(typ byte, name string, mode int64) tar.Header {
	return tar.Header{Typeflag: typ, Name: name, Mode: mode, Uname: "root", Gname: "root", ModTime: mtime, Format: tar.FormatGNU}
}

// Dir is a directory entry; name is written as given (e.g. "./usr/").
func Dir(name string, mode int64) Entry {
	return Entry{Header: header(tar.TypeDir, name, mode)}
}

// File is a regular file entry.
func File(name string, mode int64, body string) Entry {
	h := header(tar.TypeReg, name, mode)
	h.Size = int64(len(body))
	return Entry{Header: h, Body: body}
}

// Symlink is a symlink entry.
func Symlink(name, target string) Entry {
	h := header(tar.TypeSymlink, name, 0o777)
	h.Linkname = target
	return Entry{Header: h}
}

// Hardlink is a hardlink entry to the earlier entry target.
func Hardlink(name, target string) Entry {
	h := header(tar.TypeLink, name, 0o644)
	h.Linkname = target
	return Entry{Header: h}
}

// Special is an entry of type typ (a device or FIFO).
func Special(name string, typ byte) Entry {
	return Entry{Header: header(typ, name, 0o644)}
}

// Owned returns e owned by uid:gid.
func (e Entry) Owned(uid, gid int) Entry {
	e.Uid, e.Gid = uid, gid
	return e
}

// Tar returns a tar archive of entries, in order.
func Tar(t testing.TB, entries []Entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := e.Header
		if e.Raw {
			// Flush, then write the hand-made header and padded content.
			if err := tw.Flush(); err != nil {
				t.Fatal(err)
			}
			buf.Write(rawHeader(t, h))
			buf.WriteString(e.Body)
			buf.Write(make([]byte, (512-len(e.Body)%512)%512))
			continue
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatalf("tar header %q: %v", h.Name, err)
		}
		if _, err := tw.Write([]byte(e.Body)); err != nil {
			t.Fatalf("tar content %q: %v", h.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawHeader encodes h as a USTAR header block.
func rawHeader(t testing.TB, h tar.Header) []byte {
	t.Helper()
	if len(h.Name) > 100 || len(h.Linkname) > 100 {
		t.Fatalf("raw header %q: name or link name longer than 100 bytes", h.Name)
	}
	b := make([]byte, 512)
	octal := func(field []byte, v int64) { copy(field, fmt.Sprintf("%0*o\x00", len(field)-1, v)) }
	copy(b[0:100], h.Name)
	octal(b[100:108], h.Mode)
	octal(b[108:116], int64(h.Uid))
	octal(b[116:124], int64(h.Gid))
	octal(b[124:136], h.Size)
	octal(b[136:148], h.ModTime.Unix())
	b[156] = h.Typeflag
	copy(b[157:257], h.Linkname)
	copy(b[257:265], "ustar\x0000")
	copy(b[148:156], "        ")
	var sum int64
	for _, c := range b {
		sum += int64(c)
	}
	copy(b[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return b
}

// Compress returns data compressed with c.
func Compress(t testing.TB, c deb.Compression, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	switch c {
	case deb.None:
		return data
	case deb.Gzip:
		zw := gzip.NewWriter(&buf)
		if _, err = zw.Write(data); err == nil {
			err = zw.Close()
		}
	case deb.Xz:
		var zw *xz.Writer
		if zw, err = xz.NewWriter(&buf); err == nil {
			if _, err = zw.Write(data); err == nil {
				err = zw.Close()
			}
		}
	case deb.Zstd:
		var zw *zstd.Encoder
		if zw, err = zstd.NewWriter(&buf, zstd.WithEncoderConcurrency(1)); err == nil {
			if _, err = zw.Write(data); err == nil {
				err = zw.Close()
			}
		}
	default:
		t.Fatalf("unknown compression %q", c)
	}
	if err != nil {
		t.Fatalf("compressing with %s: %v", c, err)
	}
	return buf.Bytes()
}

// Member is one ar member.
type Member struct {
	Name string
	Data []byte
}

// Ar returns an ar archive of members, as dpkg-deb writes them.
func Ar(members []Member) []byte {
	var buf bytes.Buffer
	buf.WriteString("!<arch>\n")
	for _, m := range members {
		fmt.Fprintf(&buf, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", m.Name, 1676123160, 0, 0, "100644", len(m.Data))
		buf.Write(m.Data)
		if len(m.Data)%2 == 1 {
			buf.WriteByte('\n')
		}
	}
	return buf.Bytes()
}

// DefaultControl is the control file of Package when it has none.
const DefaultControl = "Package: hello\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: Test <test@example.org>\nInstalled-Size: 1\nSection: misc\nPriority: optional\nDescription: test package\n greets.\n"

// Package describes a test .deb.
type Package struct {
	// Control is the control file; empty means DefaultControl.
	Control string
	// MD5Sums is the md5sums file; empty means none.
	MD5Sums string
	// Data are the entries of data.tar.
	Data []Entry
	// ControlCompression and DataCompression default to none.
	ControlCompression, DataCompression deb.Compression
}

// Members returns the ar members of p: debian-binary, control.tar*, data.tar*.
func (p Package) Members(t testing.TB) []Member {
	t.Helper()
	control := p.Control
	if control == "" {
		control = DefaultControl
	}
	ctl := []Entry{Dir("./", 0o755), File("./control", 0o644, control)}
	if p.MD5Sums != "" {
		ctl = append(ctl, File("./md5sums", 0o644, p.MD5Sums))
	}
	ctl = append(ctl, File("./postinst", 0o755, "#!/bin/sh\nexit 0\n"))
	cc, dc := p.ControlCompression, p.DataCompression
	if cc == "" {
		cc = deb.None
	}
	if dc == "" {
		dc = deb.None
	}
	return []Member{
		{"debian-binary", []byte("2.0\n")},
		{"control.tar" + Ext(cc), Compress(t, cc, Tar(t, ctl))},
		{"data.tar" + Ext(dc), Compress(t, dc, Tar(t, p.Data))},
	}
}

// Build returns the .deb of p.
func (p Package) Build(t testing.TB) []byte {
	t.Helper()
	return Ar(p.Members(t))
}
