package deb_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/internal/debtest"
	"github.com/rules-distill/rules_distill/tools/pkg/deb"
)

// fuzzData are the data.tar entries of the generated seeds: every kind of
// entry a package may hold, and some it must not.
var fuzzData = []debtest.Entry{
	debtest.Dir("./", 0o755),
	debtest.Dir("./usr/", 0o755),
	debtest.Dir("./usr/bin/", 0o755),
	debtest.File("./usr/bin/hello", 0o4755, "#!hello\n"),
	debtest.Symlink("./usr/bin/hi", "hello"),
	debtest.Hardlink("./usr/bin/hey", "./usr/bin/hello"),
	debtest.Symlink("./usr/bin/out", "../../../etc/passwd"),
	debtest.File("../escape", 0o644, "x"),
	debtest.Special("./dev-null", '3'),
}

// addDebSeeds adds generated packages, in every pair of compressions, to
// the corpus; the real Debian packages are in testdata/fuzz/<target>.
func addDebSeeds(f *testing.F) {
	for _, cc := range debtest.Compressions {
		for _, dc := range debtest.Compressions {
			p := debtest.Package{MD5Sums: "0123456789abcdef0123456789abcdef  usr/bin/hello\n", Data: fuzzData, ControlCompression: cc, DataCompression: dc}
			f.Add(p.Build(f))
		}
	}
	f.Add([]byte("!<arch>\n"))
	f.Add([]byte("!<arch>\ndebian-binary   0           0     0     100644  4         `\n2.0\n"))
}

// maxAlloc bounds what reading a package of n bytes may allocate: the
// control files it holds in memory (MaxControlFile each, doubled by
// io.ReadAll's growth) and the decompressors' windows, never a size the
// package merely declares.
func maxAlloc(n int) uint64 {
	return 4*deb.MaxControlFile + 256<<20 + 64*uint64(n)
}

func allocated() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// checkErr fails when err is not one line: errors end up on one line of
// distill's stderr, and a newline there would split it.
func checkErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil && strings.ContainsAny(err.Error(), "\n\r") {
		t.Errorf("%s: error spans lines: %q", what, err)
	}
}

// FuzzReadAr: the member list of any input stays inside the input, in
// order, at even offsets, and errors are one line.
func FuzzReadAr(f *testing.F) {
	addDebSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		members, err := deb.ReadAr(bytes.NewReader(data), int64(len(data)))
		checkErr(t, "ReadAr", err)
		if err != nil {
			return
		}
		end := int64(8)
		for _, m := range members {
			if m.Name == "" || m.Size < 0 || m.Offset < end+60 || m.Offset+m.Size > int64(len(data)) || (m.Offset-60)%2 != 0 {
				t.Fatalf("member %+v: outside the archive of %d bytes, or before the end (%d) of the one before", m, len(data), end)
			}
			end = m.Offset + m.Size
		}
	})
}

// FuzzOpen: any input either opens as a package whose data.tar entries
// all read back at their declared sizes, or fails with a one-line error;
// nothing allocates a size the input merely declares.
func FuzzOpen(f *testing.F) {
	addDebSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		before := allocated()
		d, err := deb.Open(bytes.NewReader(data), int64(len(data)))
		checkErr(t, "Open", err)
		if got, limit := allocated()-before, maxAlloc(len(data)); got > limit {
			t.Fatalf("Open of %d bytes allocated %d bytes, more than %d", len(data), got, limit)
		}
		if err != nil {
			return
		}
		if d.Name == "" || strings.ContainsAny(d.Name, "/\x00") || d.Control == nil {
			t.Fatalf("opened package has name %q and control %q", d.Name, d.Control)
		}
		dr, err := d.Data()
		checkErr(t, "Data", err)
		if err != nil {
			return
		}
		defer dr.Close()
		// Read at most 256 MiB of content: a small input may decompress
		// to far more, which is not an error but is slow.
		budget := int64(256 << 20)
		for budget > 0 {
			h, err := dr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			checkErr(t, "Next", err)
			if err != nil {
				return
			}
			n, err := io.Copy(io.Discard, io.LimitReader(dr, budget))
			checkErr(t, "Read", err)
			if err != nil {
				return
			}
			if n != h.Size && n < budget {
				t.Fatalf("entry %q declares %d bytes, read %d without an error", h.Name, h.Size, n)
			}
			budget -= n
		}
		if got, limit := allocated()-before, maxAlloc(len(data))+2*uint64(256<<20); got > limit {
			t.Fatalf("reading a package of %d bytes allocated %d bytes, more than %d", len(data), got, limit)
		}
	})
}

// xzWithDict returns data compressed with xz whose block header declares
// the LZMA2 dictionary code dict (40 is 4 GiB - 1), checksum fixed.
func xzWithDict(t *testing.T, data []byte, dict byte) []byte {
	t.Helper()
	x := debtest.Compress(t, deb.Xz, data)
	n := (int(x[12]) + 1) * 4
	hdr := x[12 : 12+n]
	if hdr[2] != 0x21 || hdr[3] != 1 {
		t.Fatalf("block header % x: not one LZMA2 filter", hdr)
	}
	hdr[4] = dict
	binary.LittleEndian.PutUint32(hdr[n-4:], crc32.ChecksumIEEE(hdr[:n-4]))
	return x
}

// TestXzDictionary is the regression test of a bug fuzzing brought up: a
// 1 kB package whose control.tar.xz declared a 4 GiB dictionary made Open
// allocate 4 GiB, since the xz decoder allocates what a block declares.
func TestXzDictionary(t *testing.T) {
	ctl := debtest.Tar(t, []debtest.Entry{debtest.File("./control", 0o644, debtest.DefaultControl)})
	dataTar := debtest.Tar(t, fuzzData[:4])
	ms := debtest.Package{Data: fuzzData[:4]}.Members(t)
	tests := []struct {
		name           string
		control, data  byte // dictionary codes
		wantOpen, want string
	}{
		{name: "8 MiB, as xz -6", control: 22, data: 22},
		{name: "64 MiB, as xz -9", control: 22, data: 28},
		{name: "128 MiB, the limit", control: 30, data: 30},
		{name: "4 GiB control.tar", control: 40, data: 22, wantOpen: "control.tar.xz: xz block at offset 12 declares a 4095 MiB dictionary, more than the 128 MiB accepted: garbled or hostile"},
		{name: "3 GiB data.tar", control: 22, data: 39, want: "data.tar.xz: xz block at offset 12 declares a 3072 MiB dictionary, more than the 128 MiB accepted: garbled or hostile"},
		{name: "192 MiB data.tar", control: 22, data: 31, want: "data.tar.xz: xz block at offset 12 declares a 192 MiB dictionary, more than the 128 MiB accepted: garbled or hostile"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := debtest.Ar([]debtest.Member{ms[0], {Name: "control.tar.xz", Data: xzWithDict(t, ctl, tc.control)}, {Name: "data.tar.xz", Data: xzWithDict(t, dataTar, tc.data)}})
			before := allocated()
			d, err := deb.Open(bytes.NewReader(b), int64(len(b)))
			var got string
			if err == nil {
				_, err = entries(d)
				if err != nil {
					got = err.Error()
				}
			} else if tc.wantOpen != "" {
				got = err.Error()
			} else {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantOpen+tc.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if n := allocated() - before; n > 2*MaxXzDictForTest {
				t.Errorf("reading a %d-byte package allocated %d bytes", len(b), n)
			}
		})
	}
}

// MaxXzDictForTest mirrors deb.MaxXzDict for the allocation bound.
const MaxXzDictForTest = deb.MaxXzDict + 1<<20

// TestControlErrorOneLine: the control parser quotes the bad line with its
// line break; the error must stay on one line (found by FuzzPackages in
// tools/pkg/apt, which shares the parser).
func TestControlErrorOneLine(t *testing.T) {
	for _, control := range []string{"Package: hello\nno colon here\n", "Package: hello\r\nx\r\n"} {
		b := debtest.Package{Control: control, Data: fuzzData[:1]}.Build(t)
		_, err := deb.Open(bytes.NewReader(b), int64(len(b)))
		if err == nil || strings.ContainsAny(err.Error(), "\n\r") || !strings.HasPrefix(err.Error(), "parsing control file: ") {
			t.Errorf("control %q: error %q, want one line starting with \"parsing control file: \"", control, err)
		}
	}
}
