package apt

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/klauspost/compress/gzip"
	"github.com/ulikunitz/xz"
)

// This file builds the small signed archives the tests serve: keys made
// on the spot, a Packages index in three compressions, a Release listing
// them and an InRelease clearsigned with the keys.

// testNow is the clock of the tests.
var testNow = time.Date(2025, 5, 10, 12, 0, 0, 0, time.UTC)

const testDate = "Sat, 10 May 2025 09:00:00 UTC"

// newKey makes an Ed25519 signing key created at created that expires
// after lifetime (0: never).
func newKey(t *testing.T, name string, created time.Time, lifetime time.Duration) *openpgp.Entity {
	t.Helper()
	e, err := openpgp.NewEntity(name, "", "", &packet.Config{
		Algorithm:       packet.PubKeyAlgoEdDSA,
		Time:            func() time.Time { return created },
		KeyLifetimeSecs: uint32(lifetime / time.Second),
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// writeKeyring writes the public keys of entities to a binary keyring, or
// an armored one when the name ends in .asc.
func writeKeyring(t *testing.T, name string, entities ...*openpgp.Entity) string {
	t.Helper()
	var buf bytes.Buffer
	var w io.Writer = &buf
	var closer io.Closer
	if strings.HasSuffix(name, ".asc") {
		aw, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
		if err != nil {
			t.Fatal(err)
		}
		w, closer = aw, aw
	}
	for _, e := range entities {
		if err := e.Serialize(w); err != nil {
			t.Fatal(err)
		}
	}
	if closer != nil {
		closer.Close()
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// sign clearsigns text at time at with keys.
func sign(t *testing.T, text string, at time.Time, keys ...*openpgp.Entity) []byte {
	t.Helper()
	var priv []*packet.PrivateKey
	for _, k := range keys {
		priv = append(priv, k.PrivateKey)
	}
	var buf bytes.Buffer
	w, err := clearsign.EncodeMulti(&buf, priv, &packet.Config{Time: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, text); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func idOf(e *openpgp.Entity) string { return keyID(e.PrimaryKey.KeyId) }

const testPackages = `Package: libc6
Source: glibc
Version: 2.36-9+deb12u10
Installed-Size: 12986
Maintainer: GNU Libc Maintainers <glibc@maintainers.test>
Architecture: amd64
Multi-Arch: same
Depends: libgcc-s1
Breaks: hurd (<< 1:0.9.git20220301-2)
Description: GNU C Library: Shared libraries
Filename: pool/main/g/glibc/libc6_2.36-9+deb12u10_amd64.deb
Size: 2757936
SHA256: 4a1cbd4ba8d4e2f7a6bb4e1bd8a6d1f7aa5f3b0c8c6d1b36c0a3c77e5e0b1f21

Package: libssl3
Source: openssl
Version: 3.0.15-1~deb12u1
Architecture: amd64
Multi-Arch: same
Depends: libc6 (>= 2.34)
Description: Secure Sockets Layer toolkit - shared libraries
Filename: pool/main/o/openssl/libssl3_3.0.15-1~deb12u1_amd64.deb
Size: 2027116
SHA256: 1b0f5e1d3f6c9a1d2e0a4b3c6d9e8f7a1b2c3d4e5f60718293a4b5c6d7e8f901

Package: tzdata
Version: 2025b-0+deb12u1
Architecture: all
Multi-Arch: foreign
Provides: tzdata-bookworm
Description: time zone and daylight-saving time data
Filename: pool/main/t/tzdata/tzdata_2025b-0+deb12u1_all.deb
Size: 256112
SHA256: 9f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4
`

func xzBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func hexSum(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// releaseText is a Release for suite (its Codename) listing files (paths
// under dists/<suite>/) and ending with extra fields.
func releaseText(suite string, files map[string][]byte, extra string) string {
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "Origin: Debian\nLabel: Debian\nSuite: stable\nCodename: %s\nDate: %s\n%sArchitectures: amd64 arm64\nComponents: main\nDescription: a test archive\nSHA256:\n", suite, testDate, extra)
	for _, n := range names {
		fmt.Fprintf(&b, " %s %8d %s\n", hexSum(files[n]), len(files[n]), n)
	}
	return b.String()
}

// indexFilesOf is main/binary-amd64/Packages in three compressions.
func indexFilesOf(t *testing.T, text string) map[string][]byte {
	return map[string][]byte{
		"main/binary-amd64/Packages":    []byte(text),
		"main/binary-amd64/Packages.xz": xzBytes(t, []byte(text)),
		"main/binary-amd64/Packages.gz": gzBytes(t, []byte(text)),
	}
}

// archive is a test server for one archive root: files by path under it,
// and answers forced by path ("*" for every path).
type archive struct {
	srv *httptest.Server
	URL string

	mu     sync.Mutex
	files  map[string][]byte
	status map[string]int
	hits   map[string]int
}

func newArchive(t *testing.T) *archive {
	a := &archive{files: map[string][]byte{}, status: map[string]int{}, hits: map[string]int{}}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	a.URL = a.srv.URL + "/debian"
	return a
}

func (a *archive) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := strings.CutPrefix(r.URL.Path, "/debian/")
	a.hits[p]++
	if st, forced := a.status[p]; forced {
		w.WriteHeader(st)
		return
	}
	if st, forced := a.status["*"]; forced {
		w.WriteHeader(st)
		return
	}
	data, found := a.files[p]
	if !ok || !found {
		http.NotFound(w, r)
		return
	}
	w.Write(data)
}

func (a *archive) set(path string, data []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.files[path] = data
}

// force makes the server answer path with status; 0 undoes it.
func (a *archive) force(path string, status int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if status == 0 {
		delete(a.status, path)
		return
	}
	a.status[path] = status
}

func (a *archive) hit(path string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.hits[path]
}

// publish serves suite of the archive: its index files and an InRelease
// made of the Release text signed by keys at testNow minus an hour.
func (a *archive) publish(t *testing.T, suite string, index map[string][]byte, extra string, keys ...*openpgp.Entity) {
	t.Helper()
	for n, data := range index {
		a.set("dists/"+suite+"/"+n, data)
	}
	a.set("dists/"+suite+"/InRelease", sign(t, releaseText(suite, index, extra), testNow.Add(-time.Hour), keys...))
}

// deadURL is the URL of a port nobody listens on.
func deadURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/debian"
}

// testClient is a client with the test clock, no backoff and its progress
// in a buffer.
func testClient(t *testing.T, m Mirrors, keyring string, opts ...Option) (*Client, *bytes.Buffer) {
	t.Helper()
	var progress bytes.Buffer
	c, err := NewClient(m, []string{keyring}, append([]Option{
		WithNow(func() time.Time { return testNow }), WithRetries(2, 0), WithProgress(&progress),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c, &progress
}
