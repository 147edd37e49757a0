package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/rules-distill/rules_distill/tools/pkg/lock"
)

// epoch is the time of everything generated: tar mtimes, key creation,
// signatures, Release dates.
var epoch = time.Date(2025, 5, 10, 9, 0, 0, 0, time.UTC)

func main() {
	out := flag.String("out", "", "write the corpus into `DIR` (created; must not exist)")
	serve := flag.String("serve", "", "serve `DIR` over HTTP on 127.0.0.1 until killed")
	portFile := flag.String("port-file", "", "with -serve: write the port to `FILE` once listening")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("testdata/gen: ")
	switch {
	case *serve != "":
		if err := serveDir(*serve, *portFile); err != nil {
			log.Fatal(err)
		}
	case *out != "":
		if err := generate(*out); err != nil {
			log.Fatal(err)
		}
	default:
		flag.Usage()
		os.Exit(2)
	}
}

func serveDir(dir, portFile string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	if portFile != "" {
		tmp := portFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(port+"\n"), 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, portFile); err != nil {
			return err
		}
	}
	return http.Serve(ln, http.FileServer(http.Dir(dir)))
}

// corpus collects the files to write, by path below the output directory.
type corpus map[string][]byte

func generate(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("%s exists: give a new directory", dir)
	}
	c := corpus{}
	c.debs()
	if err := c.archives(); err != nil {
		return err
	}
	if err := c.lockFiles(); err != nil {
		return err
	}
	c.layerInputs()
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	for name, data := range c {
		p := filepath.Join(tmp, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return os.Rename(tmp, dir)
}

// ---- Debian packages ----

const control = "Package: hello\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: Corpus <corpus@example.org>\nInstalled-Size: 1\nSection: misc\nPriority: optional\nDescription: bad-input corpus package\n greets.\n"

// entry is one tar entry; raw entries are encoded by hand (USTAR) to
// write what archive/tar refuses or what a size must lie about.
type entry struct {
	typ          byte
	name, link   string
	mode         int64
	body         string
	declaredSize int64 // raw only: the size field, whatever the body
	raw          bool
}

func dir(name string) entry { return entry{typ: tar.TypeDir, name: name, mode: 0o755} }
func file(name, body string) entry {
	return entry{typ: tar.TypeReg, name: name, mode: 0o644, body: body}
}
func exe(name string, mode int64) entry {
	return entry{typ: tar.TypeReg, name: name, mode: mode, body: "#!hello\n"}
}
func symlink(name, target string) entry {
	return entry{typ: tar.TypeSymlink, name: name, link: target, mode: 0o777}
}
func hardlink(name, target string) entry {
	return entry{typ: tar.TypeLink, name: name, link: target, mode: 0o644}
}
func special(name string, typ byte) entry { return entry{typ: typ, name: name, mode: 0o644, raw: true} }
func rawFile(name string, size int64) entry {
	return entry{typ: tar.TypeReg, name: name, mode: 0o644, body: "only a few bytes", declaredSize: size, raw: true}
}

// tarOf returns a tar of entries; raw entries end the archive early when
// their declared size is larger than their body (a truncated stream).
func tarOf(entries []entry) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		if e.raw {
			tw.Flush()
			buf.Write(rawHeader(e))
			buf.WriteString(e.body)
			if e.declaredSize > int64(len(e.body)) {
				return buf.Bytes() // the content never ends
			}
			if pad := len(e.body) % 512; pad != 0 {
				buf.Write(make([]byte, 512-pad))
			}
			continue
		}
		h := &tar.Header{Typeflag: e.typ, Name: e.name, Linkname: e.link, Mode: e.mode, Size: int64(len(e.body)),
			Uname: "root", Gname: "root", ModTime: epoch, Format: tar.FormatGNU}
		if e.typ != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			log.Fatalf("tar header %s: %v", e.name, err)
		}
		if h.Size > 0 {
			tw.Write([]byte(e.body))
		}
	}
	tw.Close()
	return buf.Bytes()
}

// rawHeader encodes a USTAR header by hand.
func rawHeader(e entry) []byte {
	h := make([]byte, 512)
	copy(h[0:100], e.name)
	octal := func(b []byte, v int64) { copy(b, fmt.Sprintf("%0*o\x00", len(b)-1, v)) }
	octal(h[100:108], e.mode)
	octal(h[108:116], 0)
	octal(h[116:124], 0)
	size := int64(len(e.body))
	if e.declaredSize > 0 {
		size = e.declaredSize
	}
	octal(h[124:136], size)
	octal(h[136:148], epoch.Unix())
	h[156] = e.typ
	copy(h[157:257], e.link)
	copy(h[257:265], "ustar\x0000")
	copy(h[148:156], "        ")
	var sum int64
	for _, b := range h {
		sum += int64(b)
	}
	copy(h[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return h
}

type member struct {
	name string
	data []byte
	// size, when not 0, is written instead of len(data).
	size int64
}

// ar returns an ar archive of members, as dpkg-deb writes them.
func ar(members []member) []byte {
	var b bytes.Buffer
	b.WriteString("!<arch>\n")
	for _, m := range members {
		size := int64(len(m.data))
		if m.size != 0 {
			size = m.size
		}
		fmt.Fprintf(&b, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", m.name, 0, 0, 0, "100644", size)
		b.Write(m.data)
		if len(m.data)%2 == 1 {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

func gz(data []byte) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

func xzOf(data []byte) []byte {
	var b bytes.Buffer
	zw, err := xz.NewWriter(&b)
	if err != nil {
		log.Fatal(err)
	}
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

func zst(data []byte) []byte {
	zw, _ := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	return zw.EncodeAll(data, nil)
}

// pkg returns a .deb of control.tar.gz (the control file) and
// data.tar.gz (entries).
func pkg(entries []entry) []byte {
	return ar(members(entries))
}

func members(entries []entry) []member {
	ctl := tarOf([]entry{dir("./"), file("./control", control)})
	return []member{{name: "debian-binary", data: []byte("2.0\n")}, {name: "control.tar.gz", data: gz(ctl)}, {name: "data.tar.gz", data: gz(tarOf(entries))}}
}

var base = []entry{dir("./"), dir("./usr/"), dir("./usr/bin/"), exe("./usr/bin/hello", 0o755)}

func with(extra ...entry) []entry { return append(append([]entry(nil), base...), extra...) }

func (c corpus) debs() {
	good := members(base)
	c["debs/hello.deb"] = ar(good)
	c["debs/dotdot.deb"] = pkg(with(file("./usr/../../etc/passwd", "root::0:0::/:/bin/sh\n")))
	c["debs/absolute.deb"] = pkg(with(file("/etc/passwd", "root::0:0::/:/bin/sh\n")))
	c["debs/symlink-escape.deb"] = pkg(with(symlink("./usr/bin/shadow", "../../../etc/shadow")))
	c["debs/symlink-escape-absolute.deb"] = pkg(with(symlink("./usr/bin/shadow", "/../../etc/shadow")))
	c["debs/hardlink-escape.deb"] = pkg(with(hardlink("./usr/bin/passwd", "../etc/passwd")))
	c["debs/hardlink-dangling.deb"] = pkg(with(hardlink("./usr/bin/passwd", "./etc/passwd")))
	c["debs/char-device.deb"] = pkg(with(dir("./dev/"), special("./dev/mem", tar.TypeChar)))
	c["debs/block-device.deb"] = pkg(with(dir("./dev/"), special("./dev/sda", tar.TypeBlock)))
	c["debs/fifo.deb"] = pkg(with(special("./usr/bin/pipe", tar.TypeFifo)))
	c["debs/setuid.deb"] = pkg(with(exe("./usr/bin/su", 0o4755)))
	c["debs/same-path-twice.deb"] = pkg(with(file("./usr/bin/x", "one\n"), file("./usr/bin/x", "two\n")))

	// Truncated and garbled members.
	whole := ar(good)
	c["debs/truncated.deb"] = whole[:len(whole)-40]
	cut := append([]member(nil), good...)
	cut[2].data = cut[2].data[:len(cut[2].data)/2]
	c["debs/truncated-member.deb"] = ar(cut)
	garbledHeader := bytes.Clone(whole)
	copy(garbledHeader[8+58:], "XX")
	c["debs/garbled-header.deb"] = garbledHeader
	garbled := append([]member(nil), good...)
	garbled[2].data = bytes.Clone(garbled[2].data)
	for i := 20; i < 28 && i < len(garbled[2].data); i++ {
		garbled[2].data[i] ^= 0x55
	}
	c["debs/garbled-data.deb"] = ar(garbled)
	c["debs/not-a-deb.deb"] = []byte("PK\x03\x04 a zip file, not a Debian package\n")

	// Wrong compression magic: gzip data in a member named .xz, and the
	// other way round.
	wrong := append([]member(nil), good...)
	wrong[2].name = "data.tar.xz"
	c["debs/wrong-magic-xz.deb"] = ar(wrong)
	wrongZst := append([]member(nil), good...)
	wrongZst[1] = member{name: "control.tar.zst", data: xzOf(tarOf([]entry{file("./control", control)}))}
	c["debs/wrong-magic-zst.deb"] = ar(wrongZst)
	bz := append([]member(nil), good...)
	bz[2] = member{name: "data.tar.bz2", data: []byte("BZh91AY&SY")}
	c["debs/bzip2.deb"] = ar(bz)

	// Huge declared sizes: an ar member, a control file, a data.tar
	// entry, an xz dictionary. None may be allocated.
	huge := append([]member(nil), good...)
	huge[2].size = 9999999999
	c["debs/huge-ar-member.deb"] = ar(huge)
	hugeCtl := append([]member(nil), good...)
	hugeCtl[1] = member{name: "control.tar", data: tarOf([]entry{rawFile("./control", 077777777777)})}
	c["debs/huge-control.deb"] = ar(hugeCtl)
	c["debs/huge-data-entry.deb"] = pkg(with(rawFile("./usr/bin/huge", 077777777777)))
	hugeDict := append([]member(nil), good...)
	hugeDict[2] = member{name: "data.tar.xz", data: xzDict(xzOf(tarOf(base)), 40)}
	c["debs/huge-xz-dictionary.deb"] = ar(hugeDict)
	// Sanity: the same package in every compression converts.
	for _, ext := range []string{"", ".xz", ".zst"} {
		m := append([]member(nil), good...)
		data := tarOf(base)
		switch ext {
		case ".xz":
			data = xzOf(data)
		case ".zst":
			data = zst(data)
		}
		m[2] = member{name: "data.tar" + ext, data: data}
		c["debs/hello-data"+strings.ReplaceAll(ext, ".", "-")+".deb"] = ar(m)
	}
}

// xzDict sets the LZMA2 dictionary code of the first block of x (40: 4 GiB)
// and fixes the block header's CRC32.
func xzDict(x []byte, code byte) []byte {
	x = bytes.Clone(x)
	n := (int(x[12]) + 1) * 4
	hdr := x[12 : 12+n]
	hdr[4] = code
	binary.LittleEndian.PutUint32(hdr[n-4:], crc32.ChecksumIEEE(hdr[:n-4]))
	return x
}

// ---- signed archives for distill lock ----

// detRand is a deterministic source of "random" bytes for key generation.
type detRand struct{ r *rand.ChaCha8 }

func (d detRand) Read(p []byte) (int, error) { return d.r.Read(p) }

func newKey(name string, seed byte) (*openpgp.Entity, error) {
	var s [32]byte
	s[0] = seed
	return openpgp.NewEntity(name, "bad-input corpus, not for use", "corpus@example.org", &packet.Config{
		Algorithm: packet.PubKeyAlgoEdDSA,
		Rand:      detRand{rand.NewChaCha8(s)},
		Time:      func() time.Time { return epoch },
	})
}

func clearsigned(key *openpgp.Entity, text string) ([]byte, error) {
	var b bytes.Buffer
	var seed [32]byte
	w, err := clearsign.Encode(&b, key.PrivateKey, &packet.Config{
		Time: func() time.Time { return epoch },
		Rand: detRand{rand.NewChaCha8(seed)}, // the signature's salt notation
	})
	if err != nil {
		return nil, err
	}
	io.WriteString(w, text)
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// paragraph is one Packages paragraph; a zero deb gets a stand-in pool
// file of its own.
func paragraph(name, version, depends string, deb []byte) (string, string, []byte) {
	if deb == nil {
		deb = []byte("stand-in for " + name + "\n")
	}
	pool := fmt.Sprintf("pool/main/%c/%s/%s_%s_amd64.deb", name[0], name, name, version)
	p := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: amd64\nPriority: optional\nMaintainer: Corpus <corpus@example.org>\n", name, version)
	if depends != "" {
		p += "Depends: " + depends + "\n"
	}
	p += fmt.Sprintf("Description: corpus package %s\nFilename: %s\nSize: %d\nSHA256: %s\n", name, pool, len(deb), sum(deb))
	return p, pool, deb
}

func release(packages []byte, extra string) string {
	return fmt.Sprintf("Origin: Corpus\nLabel: Corpus\nSuite: stable\nCodename: bookworm\nDate: %s\n%sArchitectures: amd64\nComponents: main\nDescription: bad-input corpus archive\nSHA256:\n %s %d main/binary-amd64/Packages\n",
		epoch.Format(time.RFC1123), extra, sum(packages), len(packages))
}

func (c corpus) archives() error {
	key, err := newKey("Corpus Archive Signing Key", 1)
	if err != nil {
		return err
	}
	other, err := newKey("Someone Else", 2)
	if err != nil {
		return err
	}
	var keyring bytes.Buffer
	if err := key.Serialize(&keyring); err != nil {
		return err
	}
	c["archive/keyring.gpg"] = keyring.Bytes()

	var packages strings.Builder
	for _, p := range []struct{ name, version, depends string }{
		{"hello", "1.0-1", ""},
		{"cyc-a", "1", "cyc-b"},        // a cycle: legal in Debian (libc6 <-> libgcc-s1)
		{"cyc-b", "1", "cyc-a (>= 1)"}, // ... and must resolve to both
		{"needs-missing", "1", "nothere"},
		{"needs-newer", "1", "hello (>= 2.0)"},
		{"loop-self", "1", "loop-self"},
	} {
		var deb []byte
		if p.name == "hello" {
			deb = c["debs/hello.deb"]
		}
		text, pool, data := paragraph(p.name, p.version, p.depends, deb)
		packages.WriteString(text + "\n")
		for _, root := range []string{"good", "tampered-inrelease", "tampered-packages", "unsigned", "unknown-key", "expired"} {
			c["archive/"+root+"/"+pool] = data
		}
	}
	pk := []byte(packages.String())
	good := release(pk, "")
	signed := func(k *openpgp.Entity, text string) []byte {
		b, err2 := clearsigned(k, text)
		if err2 != nil {
			err = err2
		}
		return b
	}
	roots := map[string]struct {
		inRelease, packages []byte
	}{
		"good":               {signed(key, good), pk},
		"tampered-inrelease": {bytes.Replace(signed(key, good), []byte("Components: main"), []byte("Components: main contrib"), 1), pk},
		"tampered-packages":  {signed(key, good), bytes.Replace(pk, []byte("Version: 1.0-1"), []byte("Version: 1.0-2"), 1)},
		"unsigned":           {[]byte(good), pk},
		"unknown-key":        {signed(other, good), pk},
		"expired":            {signed(key, release(pk, "Valid-Until: "+epoch.Add(7*24*time.Hour).Format(time.RFC1123)+"\n")), pk},
	}
	if err != nil {
		return err
	}
	for root, r := range roots {
		c["archive/"+root+"/dists/bookworm/InRelease"] = r.inRelease
		c["archive/"+root+"/dists/bookworm/main/binary-amd64/Packages"] = r.packages
	}
	for name, pkgs := range map[string]string{"hello": "hello", "cycle": "cyc-a", "self": "loop-self", "missing": "needs-missing", "version": "needs-newer"} {
		c["manifests/"+name+".yaml"] = []byte("version: 1\narchives:\n  - {name: debian, suites: [bookworm], components: [main]}\narchitectures: [amd64]\npackages: [" + pkgs + "]\n")
	}
	return nil
}

// lockFiles writes a lock whose sha256 for hello is wrong (the Bazel
// repository rule must refuse the download) and its manifest.
func (c corpus) lockFiles() error {
	deb := c["debs/hello.deb"]
	l := &lock.Lock{
		Version:        lock.Version,
		ManifestSHA256: sum(c["manifests/hello.yaml"]),
		Archives:       map[string]map[string]lock.Suite{"debian": {"bookworm": {Date: epoch.Format(time.RFC1123)}}},
		Packages: []lock.Package{{
			Name: "hello", Version: "1.0-1", Architecture: "amd64", ForArchitecture: "amd64",
			Archive: "debian", Suite: "bookworm", Component: "main",
			Filename: "pool/main/h/hello/hello_1.0-1_amd64.deb",
			SHA256:   sum(append(bytes.Clone(deb), '!')), // not the file's
			Size:     int64(len(deb)),
			Source:   "hello", Depends: []string{}, Excluded: []string{},
		}},
	}
	data, err := lock.Marshal(l)
	if err != nil {
		return err
	}
	c["lock/wrong-sha256.lock.json"] = data
	return nil
}

// ---- distill layer and distill image inputs ----

func (c corpus) layerInputs() {
	c["layer/a.txt"] = []byte("a\n")
	c["layer/b.txt"] = []byte("b\n")
	c["layer/a-copy.txt"] = []byte("a\n")
	// src paths are relative to the corpus's layer/ directory: the runner
	// runs distill there.
	c["layer/duplicate.json"] = []byte(`{"entries": [{"path": "app/x", "kind": "file", "src": "a.txt"}, {"path": "app/x", "kind": "file", "src": "b.txt"}]}` + "\n")
	c["layer/duplicate-same.json"] = []byte(`{"entries": [{"path": "app/x", "kind": "file", "src": "a.txt"}, {"path": "app/x", "kind": "file", "src": "a-copy.txt"}]}` + "\n")
	c["layer/escape.json"] = []byte(`{"entries": [{"path": "app/../../etc/passwd", "kind": "file", "src": "a.txt"}]}` + "\n")
	// A shell-form entrypoint can only reach distill image through a
	// hand-written SPEC.json (the rule refuses it at analysis time).
	spec := `{"base": null, "layers": [], "entrypoint": %s, "cmd": null, "env": [], "user": "", "workdir": "", "exposedPorts": [], "labels": {}, "annotations": {}, "os": "linux", "architecture": "amd64", "variant": ""}` + "\n"
	c["image/shell-entrypoint.json"] = []byte(fmt.Sprintf(spec, `"/app/server --port 8080"`))
	c["image/exec-entrypoint.json"] = []byte(fmt.Sprintf(spec, `["/app/server", "--port", "8080"]`))
	c["layer/file-under-file.json"] = []byte(`{"entries": [{"path": "app", "kind": "file", "src": "a.txt"}, {"path": "app/x", "kind": "file", "src": "b.txt"}]}` + "\n")
}
