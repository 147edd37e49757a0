package cacerts

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	keystore "github.com/pavlo-v-chernykh/keystore-go/v4"

	"github.com/rules-distill/rules_distill/tools/internal/debtest"
	"github.com/rules-distill/rules_distill/tools/internal/layertest"
	"github.com/rules-distill/rules_distill/tools/pkg/deb"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
)

var epoch = time.Unix(1700000000, 0).UTC()

// The test certificates of testdata/ (see its README).
var (
	ed25519PEM = readTestdata("ed25519.pem")
	p256PEM    = readTestdata("p256.pem")
	rsaPEM     = readTestdata("rsa.pem")
)

func readTestdata(name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		panic(err)
	}
	return string(b)
}

const copyright = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"

const control = "Package: ca-certificates\nVersion: 20230311\nArchitecture: all\nMaintainer: Test <test@example.org>\nDescription: Common CA certificates\n"

// caPackage looks like Debian's ca-certificates: certificates below
// usr/share/ca-certificates/mozilla/ in no particular order, the tool and
// its docs, and a few entries that are not certificates.
var caPackage = []debtest.Entry{
	debtest.Dir("./", 0o755),
	debtest.Dir("./etc/", 0o755),
	debtest.Dir("./etc/ssl/", 0o755),
	debtest.Dir("./etc/ssl/certs/", 0o755),
	debtest.Dir("./usr/", 0o755),
	debtest.Dir("./usr/sbin/", 0o755),
	debtest.File("./usr/sbin/update-ca-certificates", 0o755, "#!/bin/sh -e\n"),
	debtest.Dir("./usr/share/", 0o755),
	debtest.Dir("./usr/share/ca-certificates/", 0o755),
	debtest.Dir("./usr/share/ca-certificates/mozilla/", 0o755),
	debtest.File("./usr/share/ca-certificates/mozilla/Test_Root_RSA.crt", 0o644, rsaPEM),
	// No trailing newline: the bundle adds one, as update-ca-certificates does.
	debtest.File("./usr/share/ca-certificates/mozilla/Test_Root_(Ed25519).crt", 0o644, strings.TrimSuffix(ed25519PEM, "\n")),
	debtest.File("./usr/share/ca-certificates/mozilla/README", 0o644, "not a certificate\n"),
	debtest.Symlink("./usr/share/ca-certificates/mozilla/Link.crt", "Test_Root_RSA.crt"), // find -type f skips it
	debtest.Dir("./usr/share/ca-certificates/extra/", 0o755),
	debtest.File("./usr/share/ca-certificates/extra/test_root_p-256.crt", 0o644, p256PEM),
	debtest.Dir("./usr/share/doc/", 0o755),
	debtest.Dir("./usr/share/doc/ca-certificates/", 0o755),
	debtest.File("./usr/share/doc/ca-certificates/copyright", 0o644, copyright),
	debtest.File("./usr/share/doc/ca-certificates/changelog.gz", 0o644, "changes"),
}

// wantOrder is the order of caPackage's certificates: their paths below
// usr/share/ca-certificates in byte order ("(" < "R").
var wantOrder = []string{"extra/test_root_p-256.crt", "mozilla/Test_Root_(Ed25519).crt", "mozilla/Test_Root_RSA.crt"}

var wantBundle = p256PEM + ed25519PEM + rsaPEM

func open(t *testing.T, data []debtest.Entry) *deb.Deb {
	t.Helper()
	b := debtest.Package{Control: control, Data: data, DataCompression: deb.Xz}.Build(t)
	d, err := deb.Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("deb.Open: %v", err)
	}
	return d
}

func TestRead(t *testing.T) {
	tests := []struct {
		name          string
		data          []debtest.Entry
		wantNames     []string
		wantBundle    string
		wantCopyright string
	}{
		{name: "package", data: caPackage, wantNames: wantOrder, wantBundle: wantBundle, wantCopyright: copyright},
		{
			name: "hardlinks, to certificates and to other files",
			data: []debtest.Entry{
				debtest.File("./usr/share/ca-certificates/a/One.crt", 0o644, rsaPEM),
				debtest.Hardlink("./usr/share/ca-certificates/b/Two.crt", "./usr/share/ca-certificates/a/One.crt"),
				debtest.File("./opt/p256.pem", 0o600, p256PEM),
				debtest.Hardlink("./usr/share/ca-certificates/c/Three.crt", "./opt/p256.pem"), // read in a second pass
				debtest.Hardlink("./usr/share/ca-certificates/c/Four.crt", "./opt/p256.pem"),
			},
			wantNames:  []string{"a/One.crt", "b/Two.crt", "c/Four.crt", "c/Three.crt"},
			wantBundle: rsaPEM + rsaPEM + p256PEM + p256PEM,
		},
		{
			name: "text around the certificate is kept",
			data: []debtest.Entry{
				debtest.File("./usr/share/ca-certificates/x/Commented.crt", 0o644, "# Test Root\n"+ed25519PEM+"\n"),
			},
			wantNames:  []string{"x/Commented.crt"},
			wantBundle: "# Test Root\n" + ed25519PEM + "\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Read(open(t, tc.data))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			var names []string
			for _, c := range p.Certs {
				names = append(names, c.Name)
			}
			if diff := cmp.Diff(tc.wantNames, names); diff != "" {
				t.Errorf("certificates (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantBundle, string(Bundle(p.Certs))); diff != "" {
				t.Errorf("bundle (-want +got):\n%s", diff)
			}
			if got := string(p.Copyright); got != tc.wantCopyright {
				t.Errorf("copyright = %q, want %q", got, tc.wantCopyright)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	cert := func(name, content string) []debtest.Entry {
		return []debtest.Entry{debtest.File("./usr/share/ca-certificates/"+name, 0o644, content)}
	}
	garbled := strings.Replace(rsaPEM, "MII", "MIJ", 1)
	tests := []struct {
		name    string
		data    []debtest.Entry
		wantErr string
	}{
		{name: "no certificates", data: caPackage[:8], wantErr: "no certificates (regular files *.crt) below usr/share/ca-certificates/: is this the ca-certificates package?"},
		{name: "garbled certificate", data: cert("m/Bad.crt", garbled), wantErr: "usr/share/ca-certificates/m/Bad.crt: certificate does not parse: x509: "},
		{name: "not PEM", data: cert("m/Text.crt", "hello\n"), wantErr: "usr/share/ca-certificates/m/Text.crt: no PEM CERTIFICATE block"},
		{name: "empty", data: cert("m/Empty.crt", ""), wantErr: "usr/share/ca-certificates/m/Empty.crt: no PEM CERTIFICATE block"},
		{name: "two certificates", data: cert("m/Two.crt", rsaPEM+p256PEM), wantErr: "usr/share/ca-certificates/m/Two.crt: more than one certificate, want one per file"},
		{name: "a key", data: cert("m/Key.crt", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), wantErr: `usr/share/ca-certificates/m/Key.crt: PEM block "PRIVATE KEY", want only CERTIFICATE`},
		{name: "space in name", data: cert("m/A B.crt", rsaPEM), wantErr: `"usr/share/ca-certificates/m/A B.crt": certificate name with ' ', which Debian's maintainer scripts do not handle`},
		{name: "comma in name", data: cert("m/A,B.crt", rsaPEM), wantErr: `certificate name with ','`},
		{name: "glob in name", data: cert("m/A*.crt", rsaPEM), wantErr: `certificate name with '*'`},
		{name: "dot dot", data: cert("m/../../../etc/x.crt", rsaPEM), wantErr: `"usr/share/ca-certificates/m/../../../etc/x.crt": not a clean relative path`},
		{name: "hardlink to nothing", data: []debtest.Entry{debtest.Hardlink("./usr/share/ca-certificates/m/L.crt", "./nowhere")}, wantErr: `usr/share/ca-certificates/m/L.crt: hardlink to "./nowhere", which is not an earlier regular file`},
		{name: "twice", data: append(cert("m/A.crt", rsaPEM), cert("m/A.crt", p256PEM)...), wantErr: "usr/share/ca-certificates/m/A.crt: twice in data.tar"},
		{name: "too big", data: cert("m/Big.crt", strings.Repeat("x", MaxFile+1)), wantErr: "usr/share/ca-certificates/m/Big.crt: 1048577 bytes, more than the 1048576 accepted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(open(t, tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Read error = %v, want one containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestAlias(t *testing.T) {
	tests := []struct {
		name, want, wantErr string
	}{
		{name: "mozilla/ISRG_Root_X1.crt", want: "debian:isrg_root_x1.pem"},
		{name: "mozilla/NetLock_Arany_=Class_Gold=_Főtanúsítvány.crt", want: "debian:netlock_arany_=class_gold=_főtanúsítvány.pem"},
		{name: "mozilla/Entrust.net_Premium_2048_Secure_Server_CA.crt", want: "debian:entrust.net_premium_2048_secure_server_ca.pem"},
		{name: "local/My_CA_(Test).crt", want: "debian:my_ca_=test=.pem"},
		{name: "x/ÀÉÎ.crt", want: "debian:àéî.pem"},
		{name: "x/.crt", want: "debian:.crt.pem"}, // basename(1) keeps a suffix that is the whole name
		{name: "x/İstanbul.crt", wantErr: "lowercases differently in Java"},
		{name: "x/ΣΑ.crt", wantErr: "lowercases differently in Java"},
		{name: "x/\U0001F600.crt", wantErr: "cannot be written in a JKS alias"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Alias(tc.name)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Alias error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("Alias(%q) = %q, %v; want %q", tc.name, got, err, tc.want)
			}
		})
	}
}

func TestWriteKeystore(t *testing.T) {
	p, err := Read(open(t, caPackage))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteKeystore(&buf, p.Certs, epoch); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte{0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2}) {
		t.Errorf("keystore starts with % x, want the JKS magic and version 2", buf.Bytes()[:8])
	}
	ks := keystore.New()
	if err := ks.Load(bytes.NewReader(buf.Bytes()), []byte("changeit")); err != nil {
		t.Fatalf("loading the keystore: %v", err)
	}
	type entry struct {
		Alias, Type string
		Created     time.Time
		DER         []byte
	}
	var got []entry
	for _, a := range ks.Aliases() {
		e, err := ks.GetTrustedCertificateEntry(a)
		if err != nil {
			t.Fatalf("alias %s: %v", a, err)
		}
		got = append(got, entry{a, e.Certificate.Type, e.CreationTime.UTC(), e.Certificate.Content})
	}
	byName := map[string]*Cert{}
	for i := range p.Certs {
		byName[p.Certs[i].Name] = &p.Certs[i]
	}
	want := []entry{
		{"debian:test_root_=ed25519=.pem", "X.509", epoch, byName["mozilla/Test_Root_(Ed25519).crt"].Cert.Raw},
		{"debian:test_root_p-256.pem", "X.509", epoch, byName["extra/test_root_p-256.crt"].Cert.Raw},
		{"debian:test_root_rsa.pem", "X.509", epoch, byName["mozilla/Test_Root_RSA.crt"].Cert.Raw},
	}
	slices.SortFunc(got, func(a, b entry) int { return strings.Compare(a.Alias, b.Alias) })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keystore entries (-want +got):\n%s", diff)
	}
	// The entries are in alias order in the file: the aliases appear in
	// that order in the bytes.
	last := -1
	for _, e := range want {
		i := bytes.Index(buf.Bytes(), []byte(e.Alias))
		if i <= last {
			t.Errorf("alias %s at byte %d, after the previous alias at %d: want sorted entries", e.Alias, i, last)
		}
		last = i
	}
	keytoolList(t, buf.Bytes(), len(want))

	t.Run("same alias twice", func(t *testing.T) {
		certs := []Cert{p.Certs[0], p.Certs[1]}
		certs[0].Name, certs[1].Name = "a/Same.crt", "b/same.crt"
		err := WriteKeystore(io.Discard, certs, epoch)
		if want := `certificates a/Same.crt and b/same.crt both get the Java alias "debian:same.pem"`; err == nil || err.Error() != want {
			t.Errorf("WriteKeystore error = %v, want %q", err, want)
		}
	})
}

// keytoolList checks the keystore ks with the JDK's keytool, when there is
// one: it must open with the password changeit and hold n trusted
// certificate entries.
func keytoolList(t *testing.T, ks []byte, n int) {
	t.Helper()
	keytool, err := exec.LookPath("keytool")
	if err != nil {
		t.Log("no keytool on PATH: keystore not checked with Java")
		return
	}
	path := filepath.Join(t.TempDir(), "cacerts")
	if err := os.WriteFile(path, ks, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(keytool, "-list", "-keystore", path, "-storepass", "changeit").CombinedOutput()
	if err != nil {
		t.Fatalf("keytool -list: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("Keystore type: JKS")) {
		t.Errorf("keytool -list does not say JKS:\n%s", out)
	}
	if got := bytes.Count(out, []byte("trustedCertEntry")); got != n {
		t.Errorf("keytool -list shows %d trusted certificate entries, want %d:\n%s", got, n, out)
	}
}

// entry is what a test checks of a layer's tar entry.
type entry struct {
	Name     string
	Type     byte
	Mode     int64
	UID, GID int
	Content  string
}

func dir(name string) entry { return entry{Name: name, Type: tar.TypeDir, Mode: 0o755} }
func regular(name string, mode int64, content string) entry {
	return entry{Name: name, Type: tar.TypeReg, Mode: mode, Content: content}
}

// readLayer returns the entries of a layer; every entry must have mtime =
// epoch and no owner names.
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
		if !h.ModTime.Equal(epoch) || h.Uname != "" || h.Gname != "" {
			t.Errorf("entry %q: mtime %v, owner names %q:%q; want mtime %v and no names", h.Name, h.ModTime, h.Uname, h.Gname, epoch)
		}
		content, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, entry{Name: h.Name, Type: h.Typeflag, Mode: h.Mode, UID: h.Uid, GID: h.Gid, Content: string(content)})
	}
}

// writeLayer writes the layer of d and checks it against its descriptor,
// gzip layers with validate.Layer.
func writeLayer(t *testing.T, d *deb.Deb, opts Options) ([]byte, descriptor.Layer) {
	t.Helper()
	var buf bytes.Buffer
	desc, err := Write(&buf, d, opts)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	blob := buf.Bytes()
	if got := layertest.SHA256(blob); got != desc.Digest || int64(len(blob)) != desc.Size {
		t.Errorf("blob has digest %s and size %d, descriptor %s and %d", got, len(blob), desc.Digest, desc.Size)
	}
	if got := layertest.SHA256(layertest.Uncompress(t, blob, desc.MediaType)); got != desc.DiffID {
		t.Errorf("diffID = %s, sha256(uncompressed) = %s", desc.DiffID, got)
	}
	if desc.MediaType == types.OCILayer { // validate.Layer knows gzip only
		if err := validate.Layer(layertest.Layer(t, blob, desc)); err != nil {
			t.Errorf("validate.Layer: %v", err)
		}
	}
	return blob, desc
}

func gzipOpts(keystore bool) Options {
	return Options{Layer: layer.Options{Compression: layer.Gzip, Level: 6, ModTime: epoch}, Keystore: keystore}
}

func TestWrite(t *testing.T) {
	d := open(t, caPackage)
	var ks bytes.Buffer
	p, err := Read(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteKeystore(&ks, p.Certs, epoch); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []debtest.Entry
		opts Options
		want []entry
	}{
		{
			name: "bundle",
			data: caPackage,
			opts: gzipOpts(false),
			want: []entry{
				dir("etc/"), dir("etc/ssl/"), dir("etc/ssl/certs/"),
				regular("etc/ssl/certs/ca-certificates.crt", 0o555, wantBundle),
				dir("usr/"), dir("usr/share/"), dir("usr/share/doc/"), dir("usr/share/doc/ca-certificates/"),
				regular("usr/share/doc/ca-certificates/copyright", 0o644, copyright),
			},
		},
		{
			name: "bundle and keystore",
			data: caPackage,
			opts: gzipOpts(true),
			want: []entry{
				dir("etc/"), dir("etc/ssl/"), dir("etc/ssl/certs/"),
				regular("etc/ssl/certs/ca-certificates.crt", 0o555, wantBundle),
				dir("etc/ssl/certs/java/"),
				regular("etc/ssl/certs/java/cacerts", 0o644, ks.String()),
				dir("usr/"), dir("usr/share/"), dir("usr/share/doc/"), dir("usr/share/doc/ca-certificates/"),
				regular("usr/share/doc/ca-certificates/copyright", 0o644, copyright),
			},
		},
		{
			name: "no copyright",
			data: []debtest.Entry{debtest.File("./usr/share/ca-certificates/x/A.crt", 0o644, rsaPEM)},
			opts: Options{Layer: layer.Options{Compression: layer.Zstd, Level: 3, ModTime: epoch}},
			want: []entry{
				dir("etc/"), dir("etc/ssl/"), dir("etc/ssl/certs/"),
				regular("etc/ssl/certs/ca-certificates.crt", 0o555, rsaPEM),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			blob, desc := writeLayer(t, open(t, tc.data), tc.opts)
			if diff := cmp.Diff(tc.want, readLayer(t, blob, desc.MediaType)); diff != "" {
				t.Errorf("layer entries (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("error names the package", func(t *testing.T) {
		_, err := Write(io.Discard, open(t, caPackage[:8]), gzipOpts(false))
		if err == nil || !strings.HasPrefix(err.Error(), "ca-certificates: no certificates") {
			t.Errorf("Write error = %v, want one starting with the package name", err)
		}
	})
}

func TestDeterminism(t *testing.T) {
	d := open(t, caPackage)
	for _, c := range []layer.Compression{layer.Gzip, layer.Zstd} {
		t.Run(string(c), func(t *testing.T) {
			opts := Options{Layer: layer.Options{Compression: c, Level: c.DefaultLevel(), ModTime: epoch}, Keystore: true}
			_, want := writeLayer(t, d, opts)
			tests := []struct {
				name    string
				prepare func(t *testing.T)
			}{
				{name: "again"},
				{name: "one core", prepare: func(t *testing.T) {
					old := runtime.GOMAXPROCS(1)
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
					if _, got := writeLayer(t, d, opts); got != want {
						t.Errorf("descriptor = %+v, want %+v", got, want)
					}
				})
			}
		})
	}
}

// TestGolden pins the layer of the synthetic package, with the keystore.
// If it fails, the CA layer of every image changed: a compressor or
// keystore library upgrade, or a change of the conversion. Update the
// digests only on purpose, and say so.
func TestGolden(t *testing.T) {
	d := open(t, caPackage)
	const diffID = "sha256:25cd80b9154ec1e767132bef6db6c16def7d7612076bbcd75147bd13da3c2841"
	tests := []struct {
		c      layer.Compression
		digest string
	}{
		{c: layer.Gzip, digest: "sha256:60833f8a0a69b94b98081f6f30644d6d44f75029bbafde2e1aec4678085aebaf"},
		{c: layer.Zstd, digest: "sha256:2153a417421552f41c52bef916c9f936e0175cc7961945b3c8d0799d0f37778d"},
		{c: layer.None, digest: diffID},
	}
	for _, tc := range tests {
		t.Run(string(tc.c), func(t *testing.T) {
			_, desc := writeLayer(t, d, Options{Layer: layer.Options{Compression: tc.c, Level: tc.c.DefaultLevel(), ModTime: epoch}, Keystore: true})
			got := struct{ Digest, DiffID string }{desc.Digest.String(), desc.DiffID.String()}
			want := struct{ Digest, DiffID string }{tc.digest, diffID}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("golden descriptor (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRealPackage downloads Debian's ca-certificates with apt-get and
// builds its layer. When the host has the same ca-certificates installed,
// the bundle must equal the host's /etc/ssl/certs/ca-certificates.crt
// without the local certificates update-ca-certificates appends, and the
// keystore the host's /etc/ssl/certs/java/cacerts (ca-certificates-java)
// without them, alias for alias. Set DISTILL_TEST_REAL_DEBS=1 to run it.
func TestRealPackage(t *testing.T) {
	if os.Getenv("DISTILL_TEST_REAL_DEBS") != "1" {
		t.Skip("downloads ca-certificates with apt-get: set DISTILL_TEST_REAL_DEBS=1 to run it")
	}
	versions := []string{"ca-certificates"} // the candidate
	installed, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", "ca-certificates").Output()
	if err == nil && len(installed) > 0 {
		versions = append(versions, "ca-certificates="+string(installed))
	}
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command("apt-get", "download", v)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("apt-get download %s: %v\n%s", v, err, out)
			}
			matches, err := filepath.Glob(filepath.Join(dir, "ca-certificates_*.deb"))
			if err != nil || len(matches) != 1 {
				t.Fatalf("downloaded: %q, %v", matches, err)
			}
			b, err := os.ReadFile(matches[0])
			if err != nil {
				t.Fatal(err)
			}
			d, err := deb.Open(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			blob, desc := writeLayer(t, d, gzipOpts(true))
			files := map[string]string{}
			for _, e := range readLayer(t, blob, desc.MediaType) {
				files[e.Name] = e.Content
			}
			bundle, ks := files[BundlePath], []byte(files[KeystorePath])
			n := strings.Count(bundle, "-----BEGIN CERTIFICATE-----")
			keytoolList(t, ks, n)
			t.Logf("%s %s: %d certificates, bundle %d bytes, keystore %d bytes, layer %s", d.Name, d.Version, n, len(bundle), len(ks), desc.Digest)
			if d.Version != string(installed) {
				t.Logf("host has ca-certificates %q, not %s: not compared with the host's files", installed, d.Version)
				return
			}
			compareWithHost(t, bundle, ks)
		})
	}
}

// compareWithHost compares the bundle and keystore made from the package
// the host has installed with the host's own.
func compareWithHost(t *testing.T, bundle string, ks []byte) {
	conf, err := os.ReadFile("/etc/ca-certificates.conf")
	if err != nil {
		t.Skipf("no /etc/ca-certificates.conf: %v", err)
	}
	if regexp.MustCompile(`(?m)^!`).Match(conf) {
		t.Skip("/etc/ca-certificates.conf deselects certificates: the host's bundle is not the package's")
	}
	// update-ca-certificates appends the local certificates, sorted.
	local, err := exec.Command("sh", "-c", `[ -d /usr/local/share/ca-certificates ] || exit 0
find -L /usr/local/share/ca-certificates -type f -name '*.crt' | LC_ALL=C sort`).Output()
	if err != nil {
		t.Fatal(err)
	}
	var localPEM strings.Builder
	localAliases := map[string]bool{}
	for _, p := range strings.Fields(string(local)) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		localPEM.Write(b)
		if len(b) > 0 && b[len(b)-1] != '\n' {
			localPEM.WriteByte('\n')
		}
		a, err := Alias(p)
		if err != nil {
			t.Fatal(err)
		}
		localAliases[a] = true
	}
	host, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		t.Fatal(err)
	}
	if bundle+localPEM.String() != string(host) {
		t.Errorf("bundle (%d bytes) + %d local certificates (%d bytes) differ from the host's /etc/ssl/certs/ca-certificates.crt (%d bytes)",
			len(bundle), len(localAliases), localPEM.Len(), len(host))
	} else {
		t.Logf("bundle + %d local certificates = the host's /etc/ssl/certs/ca-certificates.crt, byte for byte", len(localAliases))
	}

	hostKS, err := os.ReadFile("/etc/ssl/certs/java/cacerts")
	if err != nil {
		t.Logf("no Java keystore on the host (%v): not compared", err)
		return
	}
	entries := func(b []byte) map[string]string {
		k := keystore.New()
		if err := k.Load(bytes.NewReader(b), []byte("changeit")); err != nil {
			t.Fatalf("loading a keystore: %v", err)
		}
		m := map[string]string{}
		for _, a := range k.Aliases() {
			e, err := k.GetTrustedCertificateEntry(a)
			if err != nil {
				t.Fatalf("alias %s: %v", a, err)
			}
			m[a] = fmt.Sprintf("%s %x", e.Certificate.Type, sha256.Sum256(e.Certificate.Content))
		}
		return m
	}
	want := entries(hostKS)
	for a := range want {
		if localAliases[a] || !strings.HasPrefix(a, "debian:") {
			delete(want, a) // a local certificate, or one added by hand with keytool
		}
	}
	if diff := cmp.Diff(want, entries(ks)); diff != "" {
		t.Errorf("keystore entries, alias → type and sha256 (-host +ours):\n%s", diff)
	} else {
		t.Logf("keystore = the host's /etc/ssl/certs/java/cacerts without local certificates: %d entries, same aliases and certificates", len(want))
	}
}
