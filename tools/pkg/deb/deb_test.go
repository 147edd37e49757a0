package deb_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/internal/debtest"
	"github.com/rules-distill/rules_distill/tools/pkg/deb"
)

var data = []debtest.Entry{
	debtest.Dir("./", 0o755),
	debtest.Dir("./usr/", 0o755),
	debtest.Dir("./usr/bin/", 0o755),
	debtest.File("./usr/bin/hello", 0o755, "#!hello\n"),
	debtest.Symlink("./usr/bin/hi", "hello"),
}

func open(t *testing.T, b []byte) (*deb.Deb, error) {
	t.Helper()
	return deb.Open(bytes.NewReader(b), int64(len(b)))
}

// entries reads every entry of data.tar: name and content.
func entries(d *deb.Deb) ([]string, error) {
	dr, err := d.Data()
	if err != nil {
		return nil, err
	}
	defer dr.Close()
	var got []string
	for {
		h, err := dr.Next()
		if errors.Is(err, io.EOF) {
			return got, nil
		}
		if err != nil {
			return got, err
		}
		b, err := io.ReadAll(dr)
		if err != nil {
			return got, err
		}
		got = append(got, h.Name+"="+string(b))
	}
}

func TestOpen(t *testing.T) {
	const md5sums = "0123456789abcdef0123456789abcdef  usr/bin/hello\n"
	want := []string{"./=", "./usr/=", "./usr/bin/=", "./usr/bin/hello=#!hello\n", "./usr/bin/hi="}
	for _, cc := range debtest.Compressions {
		for _, dc := range debtest.Compressions {
			t.Run(string(cc)+"/"+string(dc), func(t *testing.T) {
				p := debtest.Package{MD5Sums: md5sums, Data: data, ControlCompression: cc, DataCompression: dc}
				d, err := open(t, p.Build(t))
				if err != nil {
					t.Fatal(err)
				}
				type meta struct {
					Name, Version, Architecture, Control, MD5Sums, DataMember string
				}
				gotMeta := meta{d.Name, d.Version, d.Architecture, string(d.Control), string(d.MD5Sums), d.DataMember()}
				wantMeta := meta{"hello", "1.0-1", "amd64", debtest.DefaultControl, md5sums, "data.tar" + debtest.Ext(dc)}
				if diff := cmp.Diff(wantMeta, gotMeta); diff != "" {
					t.Errorf("package (-want +got):\n%s", diff)
				}
				// Two passes, the same entries: each Data call starts over.
				for range 2 {
					got, err := entries(d)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("data.tar entries (-want +got):\n%s", diff)
					}
				}
			})
		}
	}
}

func TestOpenOptionalParts(t *testing.T) {
	p := debtest.Package{Data: data}
	ms := p.Members(t)
	// Members named "_..." are ignored, as dpkg does, and so is anything after data.tar.
	withExtra := []debtest.Member{ms[0], {Name: "_gpgorigin", Data: []byte("sig")}, ms[1], {Name: "_x", Data: nil}, ms[2], {Name: "trailer", Data: []byte("x")}}
	d, err := open(t, debtest.Ar(withExtra))
	if err != nil {
		t.Fatal(err)
	}
	if d.MD5Sums != nil {
		t.Errorf("MD5Sums = %q, want nil for a package without md5sums", d.MD5Sums)
	}
	// GNU ar names end with "/"; control names without "./" are found too.
	ctl := debtest.Tar(t, []debtest.Entry{debtest.File("control", 0o644, debtest.DefaultControl)})
	gnu := debtest.Ar([]debtest.Member{{Name: "debian-binary/", Data: []byte("2.0\n")}, {Name: "control.tar/", Data: ctl}, {Name: "data.tar/", Data: ms[2].Data}})
	if d, err := open(t, gnu); err != nil || d.Name != "hello" {
		t.Errorf("GNU-style ar: Open = %v, %v", d, err)
	}
}

func TestOpenErrors(t *testing.T) {
	p := debtest.Package{Data: data, DataCompression: deb.Xz, ControlCompression: deb.Gzip}
	ms := p.Members(t)
	good := debtest.Ar(ms)
	withControl := func(control string, c deb.Compression) []byte {
		q := p
		q.Control = control
		return q.Build(t)
	}
	replace := func(i int, m debtest.Member) []byte {
		c := append([]debtest.Member(nil), ms...)
		c[i] = m
		return debtest.Ar(c)
	}
	garbledHeader := bytes.Clone(good)
	copy(garbledHeader[8+58:], "xx")
	badSize := bytes.Clone(good)
	copy(badSize[8+48:], "12a4      ")
	tests := []struct {
		name    string
		deb     []byte
		wantErr string
	}{
		{name: "empty file", deb: nil, wantErr: "0 bytes, too short for an ar archive"},
		{name: "not ar", deb: []byte("PK\x03\x04 this is a zip file"), wantErr: `no ar archive magic (starts with "PK\x03\x04 th`},
		{name: "no members", deb: []byte("!<arch>\n"), wantErr: "first ar member must be debian-binary (members: )"},
		{name: "declared size larger than the file", deb: good[:len(good)-100], wantErr: `ar member "data.tar.xz" declares`},
		{name: "truncated header", deb: good[:8+30], wantErr: "ar archive truncated: 30 bytes at offset 8"},
		{name: "garbled header", deb: garbledHeader, wantErr: "ar member header at offset 8: garbled: terminator"},
		{name: "garbled size", deb: badSize, wantErr: `garbled size field "12a4"`},
		{name: "debian-binary not first", deb: debtest.Ar([]debtest.Member{ms[1], ms[0], ms[2]}), wantErr: "first ar member must be debian-binary (members: control.tar.gz, debian-binary, data.tar.xz)"},
		{name: "format 3", deb: replace(0, debtest.Member{Name: "debian-binary", Data: []byte("3.0\n")}), wantErr: `debian-binary is "3.0\n": unsupported format`},
		{name: "no control", deb: debtest.Ar([]debtest.Member{ms[0], ms[2]}), wantErr: `ar member "data.tar.xz" comes before control.tar`},
		{name: "no data", deb: debtest.Ar(ms[:2]), wantErr: "no data.tar member (members: debian-binary, control.tar.gz)"},
		{name: "only debian-binary", deb: debtest.Ar(ms[:1]), wantErr: "no control.tar member"},
		{name: "unexpected member", deb: debtest.Ar([]debtest.Member{ms[0], ms[1], {Name: "evil", Data: nil}, ms[2]}), wantErr: `unexpected ar member "evil" before data.tar`},
		{name: "bzip2", deb: replace(2, debtest.Member{Name: "data.tar.bz2", Data: []byte("BZh")}), wantErr: `member "data.tar.bz2": compression bz2 is not supported`},
		{name: "control wrong magic", deb: replace(1, debtest.Member{Name: "control.tar.xz", Data: ms[1].Data}), wantErr: "control.tar.xz: not xz data (starts with 1f 8b 08 00 00 00, want fd 37 7a 58 5a 00): wrong compression or garbled"},
		{name: "control not a tar", deb: replace(1, debtest.Member{Name: "control.tar", Data: bytes.Repeat([]byte("x"), 1024)}), wantErr: "control.tar: not a tar archive"},
		{name: "control truncated", deb: replace(1, debtest.Member{Name: "control.tar.gz", Data: ms[1].Data[:len(ms[1].Data)/2]}), wantErr: "control.tar.gz: truncated"},
		{name: "no control file", deb: replace(1, debtest.Member{Name: "control.tar", Data: debtest.Tar(t, []debtest.Entry{debtest.File("./md5sums", 0o644, "")})}), wantErr: "control.tar: no control file"},
		{name: "control file twice", deb: replace(1, debtest.Member{Name: "control.tar", Data: debtest.Tar(t, []debtest.Entry{debtest.File("./control", 0o644, debtest.DefaultControl), debtest.File("control", 0o644, "")})}), wantErr: `entry "control" appears twice`},
		{name: "control is a symlink", deb: replace(1, debtest.Member{Name: "control.tar", Data: debtest.Tar(t, []debtest.Entry{debtest.Symlink("./control", "/etc/passwd")})}), wantErr: `entry "./control" is not a regular file`},
		{name: "no package name", deb: withControl("Version: 1\n", deb.Gzip), wantErr: `Package "" is not a Debian package name`},
		{name: "package name with a slash", deb: withControl("Package: ../../etc/passwd\n", deb.Gzip), wantErr: `Package "../../etc/passwd" is not a Debian package name`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := open(t, tc.deb)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Open error = %v, want one containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

// TestDataErrors: a data.tar that is truncated, garbled or not what its
// name says is an error, never a shorter package.
func TestDataErrors(t *testing.T) {
	big := strings.Repeat("distroless, reproducible. ", 4000)
	all := append(append([]debtest.Entry(nil), data...), debtest.File("./usr/bin/big", 0o644, big))
	type tc struct {
		name    string
		member  func(m debtest.Member) debtest.Member
		wantErr string
	}
	for _, c := range debtest.Compressions {
		t.Run(string(c), func(t *testing.T) {
			p := debtest.Package{Data: all, DataCompression: c}
			ms := p.Members(t)
			tests := []tc{
				{name: "truncated", member: func(m debtest.Member) debtest.Member {
					m.Data = m.Data[:len(m.Data)*2/3]
					return m
				}, wantErr: "truncated"},
				{name: "cut at the end", member: func(m debtest.Member) debtest.Member {
					m.Data = m.Data[:len(m.Data)-5]
					return m
				}, wantErr: "data.tar"},
				{name: "garbled", member: func(m debtest.Member) debtest.Member {
					m.Data = bytes.Clone(m.Data)
					// For a plain tar, the header of the second entry
					// (no checksum covers contents); otherwise the middle.
					i := len(m.Data) / 2
					if c == deb.None {
						i = 512 + 100
					}
					for j := i; j < i+8; j++ {
						m.Data[j] ^= 0x55
					}
					return m
				}, wantErr: "garbled"},
				{name: "trailing garbage", member: func(m debtest.Member) debtest.Member {
					if c == deb.None {
						m.Data = append(bytes.Clone(m.Data[:len(m.Data)-1024]), bytes.Repeat([]byte("x"), 1024)...)
					} else {
						m.Data = append(bytes.Clone(m.Data), "garbage!"...)
					}
					return m
				}, wantErr: "data.tar"},
			}
			if c != deb.None {
				tests = append(tests, tc{name: "wrong magic", member: func(m debtest.Member) debtest.Member {
					m.Data = debtest.Compress(t, deb.Gzip, debtest.Tar(t, all))
					if c == deb.Gzip {
						m.Data = debtest.Compress(t, deb.Zstd, debtest.Tar(t, all))
					}
					return m
				}, wantErr: "not " + string(c) + " data"})
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					bad := append([]debtest.Member(nil), ms...)
					bad[2] = tc.member(bad[2])
					d, err := open(t, debtest.Ar(bad))
					if err != nil {
						t.Fatal(err)
					}
					got, err := entries(d)
					if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "data.tar") {
						t.Fatalf("reading data.tar: entries %q, error %v, want an error containing %q", got, err, tc.wantErr)
					}
					t.Logf("error: %v", err)
				})
			}
		})
	}
}

// TestInsecureNames: data.tar names are returned as they are, for the
// caller to judge, whatever GODEBUG=tarinsecurepath says.
func TestInsecureNames(t *testing.T) {
	t.Setenv("GODEBUG", "tarinsecurepath=0")
	p := debtest.Package{Data: []debtest.Entry{debtest.File("../../etc/passwd", 0o644, "x"), debtest.File("/abs", 0o644, "y")}}
	d, err := open(t, p.Build(t))
	if err != nil {
		t.Fatal(err)
	}
	got, err := entries(d)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"../../etc/passwd=x", "/abs=y"}, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}
