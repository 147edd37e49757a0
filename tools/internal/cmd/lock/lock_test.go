package lock

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/google/go-cmp/cmp"
	"pault.ag/go/debian/control"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/apt"
	distlock "github.com/rules-distill/rules_distill/tools/pkg/lock"
	"github.com/rules-distill/rules_distill/tools/pkg/manifest"
	"github.com/rules-distill/rules_distill/tools/pkg/resolve"
)

func init() {
	// Tests never read the host's apt sources: mirrors come from --mirror.
	aptDir = ""
}

// fakeSHA returns a made-up sha256 for a pool file.
func fakeSHA(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// deb returns a Packages paragraph.
func deb(name, ver, arch string, fields ...string) string {
	file := fmt.Sprintf("pool/main/%s/%s/%s_%s_%s.deb", name[:1], name, name, strings.ReplaceAll(ver, ":", "%3a"), arch)
	lines := []string{
		"Package: " + name,
		"Version: " + ver,
		"Architecture: " + arch,
	}
	lines = append(lines, fields...)
	lines = append(lines,
		"Description: "+name+" for tests",
		"Filename: "+file,
		fmt.Sprintf("Size: %d", 1000+len(name)),
		"SHA256: "+fakeSHA(file),
	)
	return strings.Join(lines, "\n") + "\n"
}

func index(paras ...string) string { return strings.Join(paras, "\n") }

// archive is the test archive: per archive/suite, per architecture, a
// Packages file.
func archive() map[string]map[string]string {
	main := func(arch string) string {
		return index(
			deb("app", "1.0-1", arch, "Depends: libc6 (>= 2.36), libssl3, tzdata", "Recommends: ca-certificates"),
			deb("libc6", "2.36-9+deb12u10", arch, "Source: glibc", "Multi-Arch: same", "Depends: libgcc-s1"),
			deb("libgcc-s1", "12.2.0-14", arch, "Source: gcc-12", "Pre-Depends: libc6 (>= 2.35)", "Depends: gcc-12-base (= 12.2.0-14)"),
			deb("gcc-12-base", "12.2.0-14", arch, "Source: gcc-12"),
			deb("libssl3", "3.0.15-1~deb12u1", arch, "Source: openssl", "Depends: libc6 (>= 2.34)"),
			deb("ca-certificates", "20230311", "all", "Depends: openssl"),
			deb("tzdata", "2024a-0+deb12u1", "all", "Depends: debconf (>= 0.5) | debconf-2.0"),
			deb("debconf", "1.5.82", "all", "Pre-Depends: perl-base", "Provides: debconf-2.0"),
			deb("broken", "1", arch, "Depends: libmissing"),
		)
	}
	return map[string]map[string]string{
		"debian/bookworm": {"amd64": main("amd64"), "arm64": main("arm64")},
		"debian/bookworm-updates": {
			"amd64": deb("tzdata", "2025b-0+deb12u1", "all", "Depends: debconf (>= 0.5) | debconf-2.0"),
			"arm64": deb("tzdata", "2025b-0+deb12u1", "all", "Depends: debconf (>= 0.5) | debconf-2.0"),
		},
		"debian-security/bookworm-security": {
			"amd64": deb("libssl3", "3.0.16-1~deb12u1", "amd64", "Source: openssl (3.0.16-1~deb12u1)", "Depends: libc6 (>= 2.34)"),
			"arm64": deb("libssl3", "3.0.16-1~deb12u1", "arm64", "Source: openssl (3.0.16-1~deb12u1)", "Depends: libc6 (>= 2.34)"),
		},
	}
}

const releaseDate = "Sat, 10 May 2025 09:00:00 UTC"

// serve writes the archive, signed with key, under a temporary directory
// and serves it; it returns the --mirror flags.
func serve(t *testing.T, key *openpgp.Entity) []string {
	t.Helper()
	root := t.TempDir()
	write := func(rel string, data []byte) {
		path := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	archives := map[string]bool{}
	for origin, arches := range archive() {
		archiveName, suite, _ := strings.Cut(origin, "/")
		archives[archiveName] = true
		var sums []string
		var names []string
		for arch := range arches {
			names = append(names, arch)
		}
		slices.Sort(names)
		for _, arch := range names {
			rel := "main/binary-" + arch + "/Packages"
			data := []byte(arches[arch])
			write(filepath.Join(archiveName, "dists", suite, rel), data)
			sums = append(sums, fmt.Sprintf(" %s %d %s", fakeSHA(string(data)), len(data), rel))
		}
		release := strings.Join([]string{
			"Origin: Debian",
			"Suite: " + suite,
			"Codename: " + suite,
			"Date: " + releaseDate,
			"Architectures: " + strings.Join(names, " "),
			"Components: main",
			"SHA256:",
			strings.Join(sums, "\n"),
		}, "\n") + "\n"
		write(filepath.Join(archiveName, "dists", suite, "InRelease"), sign(t, release, key))
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(root)))
	t.Cleanup(srv.Close)
	var flags []string
	for name := range archives {
		flags = append(flags, "--mirror="+name+"="+srv.URL+"/"+name)
	}
	return flags
}

func newKey(t *testing.T) *openpgp.Entity {
	t.Helper()
	e, err := openpgp.NewEntity("test archive", "", "", &packet.Config{
		Algorithm: packet.PubKeyAlgoEdDSA,
		Time:      func() time.Time { return time.Now().Add(-time.Hour) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func sign(t *testing.T, text string, key *openpgp.Entity) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := clearsign.Encode(&buf, key.PrivateKey, nil)
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

func writeKeyring(t *testing.T, path string, key *openpgp.Entity) {
	t.Helper()
	var buf bytes.Buffer
	if err := key.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

const testManifest = `version: 1
archives:
  - name: debian
    suites: [bookworm, bookworm-updates]
  - name: debian-security
    suites: [bookworm-security]
architectures: [amd64, arm64]
packages: [app]
keyrings: [keys/archive.gpg]
`

// setup writes a manifest (and its keyring, relative to it) and serves
// the archive; it returns the manifest path and the --mirror flags.
func setup(t *testing.T, manifestText string) (string, []string) {
	t.Helper()
	t.Setenv(apt.EnvMirrors, "")
	key := newKey(t)
	dir := t.TempDir()
	writeKeyring(t, filepath.Join(dir, "keys", "archive.gpg"), key)
	path := filepath.Join(dir, "packages.yaml")
	if err := os.WriteFile(path, []byte(manifestText), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, serve(t, key)
}

func ls(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestRun(t *testing.T) {
	manifestPath, mirrors := setup(t, testManifest)
	out := t.TempDir()
	cache := t.TempDir()
	var first []byte
	for i, extra := range [][]string{nil, {"--cache", cache}, {"--cache", cache}} {
		output := filepath.Join(out, fmt.Sprintf("lock%d.json", i))
		var stderr bytes.Buffer
		args := append([]string{"--manifest", manifestPath, "--output", output}, append(mirrors, extra...)...)
		if err := Run(context.Background(), args, io.Discard, &stderr); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		for _, want := range []string{
			"fetched InRelease debian/bookworm (verified: ",
			"fetched Packages debian-security/bookworm-security/main/arm64 (1 packages",
			"resolved amd64: 6 packages\n",
			"resolved arm64: 6 packages\n",
		} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("run %d: stderr lacks %q:\n%s", i, want, stderr.String())
			}
		}
		if i == 2 && !strings.Contains(stderr.String(), "from the cache") {
			t.Errorf("run %d: the indexes were not read from the cache:\n%s", i, stderr.String())
		}
		data, err := os.ReadFile(output)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = data
		} else if !bytes.Equal(first, data) {
			t.Errorf("run %d gave another lock:\n%s", i, cmp.Diff(string(first), string(data)))
		}
	}

	l, err := distlock.Read(filepath.Join(out, "lock0.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range l.Packages {
		got = append(got, fmt.Sprintf("%s:%s %s %s %s/%s depends=%v excluded=%v merged_usr=%t",
			p.Name, p.ForArchitecture, p.Version, p.Architecture, p.Archive, p.Suite, p.Depends, p.Excluded, p.MergedUsr))
	}
	want := []string{
		"app:amd64 1.0-1 amd64 debian/bookworm depends=[libc6 libssl3 tzdata] excluded=[] merged_usr=false",
		"app:arm64 1.0-1 arm64 debian/bookworm depends=[libc6 libssl3 tzdata] excluded=[] merged_usr=false",
		"gcc-12-base:amd64 12.2.0-14 amd64 debian/bookworm depends=[] excluded=[] merged_usr=false",
		"gcc-12-base:arm64 12.2.0-14 arm64 debian/bookworm depends=[] excluded=[] merged_usr=false",
		"libc6:amd64 2.36-9+deb12u10 amd64 debian/bookworm depends=[libgcc-s1] excluded=[] merged_usr=false",
		"libc6:arm64 2.36-9+deb12u10 arm64 debian/bookworm depends=[libgcc-s1] excluded=[] merged_usr=false",
		"libgcc-s1:amd64 12.2.0-14 amd64 debian/bookworm depends=[gcc-12-base libc6] excluded=[] merged_usr=false",
		"libgcc-s1:arm64 12.2.0-14 arm64 debian/bookworm depends=[gcc-12-base libc6] excluded=[] merged_usr=false",
		"libssl3:amd64 3.0.16-1~deb12u1 amd64 debian-security/bookworm-security depends=[libc6] excluded=[] merged_usr=false",
		"libssl3:arm64 3.0.16-1~deb12u1 arm64 debian-security/bookworm-security depends=[libc6] excluded=[] merged_usr=false",
		"tzdata:amd64 2025b-0+deb12u1 all debian/bookworm-updates depends=[] excluded=[debconf] merged_usr=false",
		"tzdata:arm64 2025b-0+deb12u1 all debian/bookworm-updates depends=[] excluded=[debconf] merged_usr=false",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("locked packages (-want +got):\n%s", diff)
	}
	ssl, _ := l.Find("libssl3", "amd64")
	if ssl.Source != "openssl" || ssl.Filename != "pool/main/l/libssl3/libssl3_3.0.16-1~deb12u1_amd64.deb" || ssl.SHA256 != fakeSHA(ssl.Filename) || ssl.Size != 1007 {
		t.Errorf("libssl3:amd64 = %+v", ssl)
	}
	if diff := cmp.Diff(map[string]map[string]distlock.Suite{
		"debian":          {"bookworm": {Date: releaseDate}, "bookworm-updates": {Date: releaseDate}},
		"debian-security": {"bookworm-security": {Date: releaseDate}},
	}, l.Archives); diff != "" {
		t.Errorf("archives (-want +got):\n%s", diff)
	}
	data, err := os.ReadFile(manifestPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.CheckManifest(data); err != nil {
		t.Error(err)
	}
	if diff := cmp.Diff([]string{"lock0.json", "lock1.json", "lock2.json"}, ls(t, out)); diff != "" {
		t.Errorf("output directory (-want +got):\n%s", diff)
	}
}

func TestRunFailureKeepsOldLock(t *testing.T) {
	tests := []struct {
		name      string
		manifest  string
		args      func(mirrors []string) []string
		wantErr   string
		wantUsage bool
	}{
		{
			name:     "unsatisfiable",
			manifest: strings.Replace(testManifest, "packages: [app]", "packages: [app, broken]", 1),
			wantErr:  "amd64: broken → libmissing: no candidate",
		},
		{
			name:     "unknown package",
			manifest: strings.Replace(testManifest, "packages: [app]", "packages: [app, nothere:arm64]", 1),
			wantErr:  "arm64: nothere: no candidate",
		},
		{
			name:     "bad manifest",
			manifest: testManifest + "mirrors: [x]\n",
			wantErr:  `packages.yaml:10: unknown key "mirrors" in the manifest`,
		},
		{
			name:     "no mirror",
			manifest: testManifest,
			args: func(mirrors []string) []string {
				return slices.DeleteFunc(slices.Clone(mirrors), func(s string) bool { return strings.HasPrefix(s, "--mirror=debian-security=") })
			},
			wantErr: `no mirror for archive "debian-security"`,
		},
		{
			name:     "unknown suite",
			manifest: strings.Replace(testManifest, "[bookworm-security]", "[trixie-security]", 1),
			wantErr:  "InRelease debian-security/trixie-security",
		},
		{
			name:     "wrong keyring",
			manifest: testManifest,
			args: func(mirrors []string) []string {
				return append(mirrors, "--keyring", filepath.Join(t.TempDir(), "missing.gpg"))
			},
			wantErr: "missing.gpg",
		},
		{
			name:     "untrusted key",
			manifest: testManifest,
			args: func(mirrors []string) []string {
				other := filepath.Join(t.TempDir(), "other.gpg")
				writeKeyring(t, other, newKey(t))
				return append(mirrors, "--keyring", other)
			},
			wantErr: "InRelease debian",
		},
		{
			name:      "bad mirror flag",
			manifest:  testManifest,
			args:      func(mirrors []string) []string { return append(mirrors, "--mirror", "debian") },
			wantErr:   "--mirror",
			wantUsage: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			manifestPath, mirrors := setup(t, tc.manifest)
			if tc.args != nil {
				mirrors = tc.args(mirrors)
			}
			out := t.TempDir()
			output := filepath.Join(out, "packages.lock.json")
			if err := os.WriteFile(output, []byte("old\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"--manifest", manifestPath, "--output", output}, mirrors...)
			err := Run(context.Background(), args, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Run error = %v, want one containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			var ue *cli.UsageError
			if got := errors.As(err, &ue); got != tc.wantUsage {
				t.Errorf("usage error: %t, want %t", got, tc.wantUsage)
			}
			if data, _ := os.ReadFile(output); string(data) != "old\n" {
				t.Errorf("the old lock changed: %q", data)
			}
			if diff := cmp.Diff([]string{"packages.lock.json"}, ls(t, out)); diff != "" {
				t.Errorf("output directory (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunUsage(t *testing.T) {
	err := Run(context.Background(), []string{"--manifest", "packages.yaml"}, io.Discard, io.Discard)
	var ue *cli.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "missing required flag --output") {
		t.Errorf("Run without --output: %v", err)
	}
}

// TestBuildDeterministic builds the lock from the test archive's indexes,
// again, and with the candidates shuffled: always the same bytes.
func TestBuildDeterministic(t *testing.T) {
	m, err := manifest.Parse("packages.yaml", []byte(testManifest))
	if err != nil {
		t.Fatal(err)
	}
	idx := &indexes{candidates: map[string][]resolve.Candidate{}}
	for _, a := range m.Archives {
		for _, s := range a.Suites {
			idx.releases = append(idx.releases, &apt.Release{Archive: a.Name, Suite: s, Date: releaseDate})
			for arch, text := range archive()[a.Name+"/"+s] {
				entries, err := control.ParseBinaryIndex(bufio.NewReader(strings.NewReader(text)))
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range entries {
					idx.candidates[arch] = append(idx.candidates[arch], resolve.Candidate{BinaryIndex: e, Archive: a.Name, Suite: s, Component: "main"})
				}
			}
		}
	}
	encode := func() []byte {
		t.Helper()
		l, err := build(m, idx, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		data, err := distlock.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	want := encode()
	if again := encode(); !bytes.Equal(want, again) {
		t.Errorf("a second build differs:\n%s", cmp.Diff(string(want), string(again)))
	}
	for seed := range uint64(5) {
		r := rand.New(rand.NewPCG(seed, 1))
		for _, cands := range idx.candidates {
			r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
		}
		if got := encode(); !bytes.Equal(want, got) {
			t.Errorf("shuffled candidates (seed %d) give another lock:\n%s", seed, cmp.Diff(string(want), string(got)))
		}
	}
	trixie := strings.Replace(strings.ReplaceAll(testManifest, "bookworm", "trixie"), "packages: [app]", "packages: [app]\n", 1)
	m, err = manifest.Parse("packages.yaml", []byte(trixie))
	if err != nil {
		t.Fatal(err)
	}
	if !m.MergedUsrFor("trixie-security") {
		t.Errorf("trixie-security is not merged-usr by default")
	}
}
