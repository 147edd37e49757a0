package apt

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/klauspost/compress/gzip"
)

// fuzzSigner is a test key and a client that trusts it, for the fuzz
// targets (the helpers of archive_test.go take a *testing.T).
type fuzzSigner struct {
	key    *openpgp.Entity
	client *Client
}

func newFuzzSigner(f *testing.F) *fuzzSigner {
	key, err := openpgp.NewEntity("Fuzz Archive Signing Key", "", "", &packet.Config{
		Algorithm: packet.PubKeyAlgoEdDSA,
		Time:      func() time.Time { return testNow.AddDate(-1, 0, 0) },
	})
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := key.Serialize(&buf); err != nil {
		f.Fatal(err)
	}
	keyring := filepath.Join(f.TempDir(), "keyring.gpg")
	if err := os.WriteFile(keyring, buf.Bytes(), 0o644); err != nil {
		f.Fatal(err)
	}
	c, err := NewClient(Mirrors{}, []string{keyring}, WithNow(func() time.Time { return testNow }))
	if err != nil {
		f.Fatal(err)
	}
	return &fuzzSigner{key: key, client: c}
}

func (s *fuzzSigner) sign(tb testing.TB, text string) []byte {
	var buf bytes.Buffer
	w, err := clearsign.Encode(&buf, s.key.PrivateKey, &packet.Config{Time: func() time.Time { return testNow }})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.WriteString(w, text); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func oneLine(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.ContainsAny(err.Error(), "\n\r") {
		t.Errorf("error spans lines: %q", err)
	}
}

// checkRelease checks what a parsed Release promises its users.
func checkRelease(t *testing.T, rel *Release) {
	t.Helper()
	if len(rel.SignedBy) == 0 {
		t.Fatal("a Release that no key signed was accepted")
	}
	if len(rel.Files) == 0 {
		t.Fatal("a Release without a SHA256 list was accepted")
	}
	for p, f := range rel.Files {
		if f.Size < 0 || !isSHA256(f.SHA256) || p == "" {
			t.Fatalf("SHA256 list entry %q: %+v", p, f)
		}
	}
}

// FuzzInRelease feeds arbitrary bytes as an InRelease file: only a file
// with a good signature by the trusted key is accepted; errors are one
// line.
func FuzzInRelease(f *testing.F) {
	s := newFuzzSigner(f)
	good := releaseText("bookworm", map[string][]byte{"main/binary-amd64/Packages": []byte(testPackages)}, "")
	signed := s.sign(f, good)
	f.Add(signed)
	f.Add(bytes.Replace(signed, []byte("Codename: bookworm"), []byte("Codename: bookwork"), 1))
	f.Add(append(bytes.Clone(signed), "Codename: trixie\n"...))
	f.Add([]byte(good))
	f.Add([]byte("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nx\n-----BEGIN PGP SIGNATURE-----\n\n-----END PGP SIGNATURE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rel, err := s.client.parseInRelease(data, "bookworm")
		oneLine(t, err)
		if err == nil {
			checkRelease(t, rel)
		}
	})
}

// FuzzRelease signs arbitrary Release text with the trusted key, so the
// fuzzer reaches the fields: the Date, Valid-Until and SHA256 list parsers.
func FuzzRelease(f *testing.F) {
	s := newFuzzSigner(f)
	index := map[string][]byte{"main/binary-amd64/Packages": []byte(testPackages), "main/binary-amd64/Packages.gz": []byte("x")}
	f.Add(releaseText("bookworm", index, ""))
	f.Add(releaseText("bookworm", index, "Valid-Until: Sat, 17 May 2025 09:00:00 UTC\n"))
	f.Add(releaseText("bookworm", index, "Valid-Until: yesterday\n"))
	f.Add(strings.Replace(releaseText("bookworm", index, ""), " main/", " -1 main/", 1))
	f.Add("Codename: bookworm\nDate: Sat, 10 May 2025 09:00:00 +0000\nSHA256:\n " + strings.Repeat("0", 64) + " 12 a/b\n")
	f.Fuzz(func(t *testing.T, text string) {
		rel, err := s.client.parseInRelease(s.sign(t, text), "bookworm")
		oneLine(t, err)
		if err == nil {
			checkRelease(t, rel)
		}
	})
}

// FuzzPackages: every accepted paragraph of a Packages index names a
// package, a version, an architecture, a pool path inside the archive, a
// sha256 and a positive size.
func FuzzPackages(f *testing.F) {
	f.Add([]byte(testPackages))
	f.Add([]byte(strings.Replace(testPackages, "Filename: pool/", "Filename: ../", 1)))
	f.Add([]byte("Package: a\nVersion: 1\nArchitecture: all\nFilename: pool/a.deb\nSize: 1\nSHA256: " + strings.Repeat("a", 64) + "\nDepends: b | c (>= 1), d:any\nProvides: e (= 2)\n"))
	f.Add([]byte("-----BEGIN PGP SIGNED MESSAGE-----\n"))
	rel := &Release{Archive: "debian", Suite: "bookworm"}
	f.Fuzz(func(t *testing.T, text []byte) {
		cands, err := parsePackages(text, rel, "main")
		oneLine(t, err)
		for _, c := range cands {
			if !packageName.MatchString(c.Package) || c.Version.Version == "" || c.Architecture.String() == "" || !safePath(c.Filename) || !isSHA256(c.SHA256) || c.Size <= 0 {
				t.Fatalf("accepted paragraph %+v", c.BinaryIndex)
			}
		}
	})
}

// FuzzDecompressIndex: a gzip or plain index never decompresses past the
// size the Release gives for the uncompressed file, and only to the bytes
// of that sha256. (xz indexes are only decompressed after their sha256
// matched the signed Release; the .deb reader guards xz against hostile
// dictionary sizes, see deb.MaxXzDict.)
func FuzzDecompressIndex(f *testing.F) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(testPackages))
	zw.Close()
	f.Add(gz.Bytes(), true, int64(len(testPackages)))
	f.Add([]byte(testPackages), false, int64(len(testPackages)))
	f.Add(gz.Bytes()[:40], true, int64(-1))
	f.Fuzz(func(t *testing.T, data []byte, gzipped bool, size int64) {
		name := "main/binary-amd64/Packages"
		if gzipped {
			name += ".gz"
		}
		plain := File{Size: min(size, 4<<20), SHA256: hexSum([]byte(testPackages))}
		if size < 0 {
			plain = File{Size: 4 << 20, SHA256: hexSum(nil)}
		}
		text, err := decompress(name, data, plain)
		oneLine(t, err)
		if err == nil && (int64(len(text)) != plain.Size || hexSum(text) != plain.SHA256) {
			t.Fatalf("decompressed %d bytes with sha256 %s, the Release says %+v", len(text), hexSum(text), plain)
		}
	})
}

// FuzzSources: apt source files parse without panicking; every entry
// keeps its file and a line number inside the file.
func FuzzSources(f *testing.F) {
	f.Add([]byte("Types: deb\nURIs: http://mirror.test/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"), false)
	f.Add([]byte("deb [arch=amd64 signed-by=/k.gpg] http://mirror.test/debian bookworm main\n# deb-src x y z\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, oneLineStyle bool) {
		parse := ParseDeb822Sources
		if oneLineStyle {
			parse = ParseOneLineSources
		}
		entries, err := parse("test.sources", data)
		oneLine(t, err)
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, e := range entries {
			if e.File != "test.sources" || e.Line < 1 || e.Line > lines {
				t.Fatalf("entry %+v: line outside the %d lines of the file", e, lines)
			}
		}
	})
}
