package apt

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pkg is what the tests compare of a Candidate.
type pkg struct {
	Package, Version, Architecture, MultiArch, Source string
	Depends, Provides                                 string
	Filename, SHA256                                  string
	Size                                              int
	Archive, Suite, Component                         string
}

func pkgs(cands []Candidate) []pkg {
	var out []pkg
	for _, c := range cands {
		out = append(out, pkg{
			Package: c.Package, Version: c.Version.String(), Architecture: c.Architecture.String(),
			MultiArch: c.MultiArch, Source: c.SourcePackage(),
			Depends: c.Values["Depends"], Provides: c.Values["Provides"],
			Filename: c.Filename, SHA256: c.SHA256, Size: c.Size,
			Archive: c.Archive, Suite: c.Suite, Component: c.Component,
		})
	}
	return out
}

var wantPkgs = []pkg{
	{
		Package: "libc6", Version: "2.36-9+deb12u10", Architecture: "amd64", MultiArch: "same", Source: "glibc",
		Depends:  "libgcc-s1",
		Filename: "pool/main/g/glibc/libc6_2.36-9+deb12u10_amd64.deb", SHA256: "4a1cbd4ba8d4e2f7a6bb4e1bd8a6d1f7aa5f3b0c8c6d1b36c0a3c77e5e0b1f21", Size: 2757936,
		Archive: "debian", Suite: "bookworm", Component: "main",
	},
	{
		Package: "libssl3", Version: "3.0.15-1~deb12u1", Architecture: "amd64", MultiArch: "same", Source: "openssl",
		Depends:  "libc6 (>= 2.34)",
		Filename: "pool/main/o/openssl/libssl3_3.0.15-1~deb12u1_amd64.deb", SHA256: "1b0f5e1d3f6c9a1d2e0a4b3c6d9e8f7a1b2c3d4e5f60718293a4b5c6d7e8f901", Size: 2027116,
		Archive: "debian", Suite: "bookworm", Component: "main",
	},
	{
		Package: "tzdata", Version: "2025b-0+deb12u1", Architecture: "all", MultiArch: "foreign", Source: "tzdata",
		Provides: "tzdata-bookworm",
		Filename: "pool/main/t/tzdata/tzdata_2025b-0+deb12u1_all.deb", SHA256: "9f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4", Size: 256112,
		Archive: "debian", Suite: "bookworm", Component: "main",
	},
}

const amd64Dir = "dists/bookworm/main/binary-amd64/"

func TestPackages(t *testing.T) {
	key := newKey(t, "Test Archive Automatic Signing Key", testNow.AddDate(-1, 0, 0), 0)
	keyring := writeKeyring(t, "keyring.gpg", key)
	full := indexFilesOf(t, testPackages)
	only := func(names ...string) map[string][]byte {
		m := map[string][]byte{}
		for _, n := range names {
			m["main/binary-amd64/"+n] = full["main/binary-amd64/"+n]
		}
		return m
	}
	flip := func(data []byte) []byte {
		d := append([]byte(nil), data...)
		d[len(d)/2] ^= 0xff
		return d
	}

	tests := []struct {
		name string
		// setup publishes bookworm on the first mirror a and maybe the
		// second b, and breaks what the case needs.
		setup     func(t *testing.T, a, b *archive)
		component string
		want      []pkg
		wantErr   string // with A and B for the mirrors' URLs
		// wantHits counts requests to the first mirror by path under it.
		wantHits     map[string]int
		wantProgress string
	}{
		{
			name:         "xz",
			setup:        func(t *testing.T, a, b *archive) { a.publish(t, "bookworm", full, "", key) },
			want:         wantPkgs,
			wantHits:     map[string]int{amd64Dir + "Packages.xz": 1, amd64Dir + "Packages.gz": 0},
			wantProgress: "fetched Packages debian/bookworm/main/amd64 (3 packages)",
		},
		{
			name: "missing xz falls back to gz",
			setup: func(t *testing.T, a, b *archive) {
				a.publish(t, "bookworm", full, "", key)
				a.force(amd64Dir+"Packages.xz", http.StatusNotFound)
			},
			want:         wantPkgs,
			wantHits:     map[string]int{amd64Dir + "Packages.xz": 1, amd64Dir + "Packages.gz": 1},
			wantProgress: "Packages debian/bookworm/main/amd64: " + amd64Dir + "Packages.xz not found on any mirror (GET A/" + amd64Dir + "Packages.xz: 404 Not Found; GET B/" + amd64Dir + "Packages.xz: 404 Not Found): trying " + amd64Dir + "Packages.gz",
		},
		{
			name:     "only gz listed",
			setup:    func(t *testing.T, a, b *archive) { a.publish(t, "bookworm", only("Packages.gz"), "", key) },
			want:     wantPkgs,
			wantHits: map[string]int{amd64Dir + "Packages.xz": 0, amd64Dir + "Packages.gz": 1},
		},
		{
			name:     "only plain listed",
			setup:    func(t *testing.T, a, b *archive) { a.publish(t, "bookworm", only("Packages"), "", key) },
			want:     wantPkgs,
			wantHits: map[string]int{amd64Dir + "Packages": 1},
		},
		{
			name: "by-hash",
			setup: func(t *testing.T, a, b *archive) {
				a.publish(t, "bookworm", full, "Acquire-By-Hash: yes\n", key)
				a.set(amd64Dir+"by-hash/SHA256/"+hexSum(full["main/binary-amd64/Packages.xz"]), full["main/binary-amd64/Packages.xz"])
				a.force(amd64Dir+"Packages.xz", http.StatusInternalServerError)
			},
			want:     wantPkgs,
			wantHits: map[string]int{amd64Dir + "Packages.xz": 0, amd64Dir + "by-hash/SHA256/" + hexSum(full["main/binary-amd64/Packages.xz"]): 1},
		},
		{
			name: "by-hash missing",
			setup: func(t *testing.T, a, b *archive) {
				a.publish(t, "bookworm", full, "Acquire-By-Hash: yes\n", key)
			},
			want:     wantPkgs,
			wantHits: map[string]int{amd64Dir + "Packages.xz": 1, amd64Dir + "by-hash/SHA256/" + hexSum(full["main/binary-amd64/Packages.xz"]): 1},
		},
		{
			name: "sha256 differs",
			setup: func(t *testing.T, a, b *archive) {
				a.publish(t, "bookworm", full, "", key)
				a.set(amd64Dir+"Packages.xz", flip(full["main/binary-amd64/Packages.xz"]))
			},
			wantErr: "Packages debian/bookworm/main/amd64: " + amd64Dir + "Packages.xz from A: size " + strconv.Itoa(len(full["main/binary-amd64/Packages.xz"])) +
				" and sha256 " + hexSum(flip(full["main/binary-amd64/Packages.xz"])) + ", but the Release says size " + strconv.Itoa(len(full["main/binary-amd64/Packages.xz"])) +
				" and sha256 " + hexSum(full["main/binary-amd64/Packages.xz"]),
		},
		{
			name: "larger than listed",
			setup: func(t *testing.T, a, b *archive) {
				a.publish(t, "bookworm", full, "", key)
				a.set(amd64Dir+"Packages.xz", append(full["main/binary-amd64/Packages.xz"], 0))
			},
			wantErr: "Packages debian/bookworm/main/amd64: " + amd64Dir + "Packages.xz from A: larger than " + strconv.Itoa(len(full["main/binary-amd64/Packages.xz"])) + " bytes",
		},
		{
			name: "decompresses to something else",
			setup: func(t *testing.T, a, b *archive) {
				index := only("Packages.xz")
				index["main/binary-amd64/Packages"] = []byte(strings.Replace(testPackages, "libssl3", "libssl4", -1))
				a.publish(t, "bookworm", index, "", key)
				a.force(amd64Dir+"Packages", http.StatusNotFound)
			},
			wantErr: "Packages debian/bookworm/main/amd64: decompressing main/binary-amd64/Packages.xz: size " + strconv.Itoa(len(testPackages)) + " and sha256 " + hexSum([]byte(testPackages)) +
				", but the Release says size " + strconv.Itoa(len(testPackages)) + " and sha256 " + hexSum([]byte(strings.Replace(testPackages, "libssl3", "libssl4", -1))) + " for the uncompressed file",
		},
		{
			name: "first mirror down, second serves the same files",
			setup: func(t *testing.T, a, b *archive) {
				a.publish(t, "bookworm", full, "", key)
				a.force(amd64Dir+"Packages.xz", http.StatusServiceUnavailable)
				for n, d := range a.files {
					b.set(n, d)
				}
			},
			want:         wantPkgs,
			wantHits:     map[string]int{amd64Dir + "Packages.xz": 2, amd64Dir + "Packages.gz": 0},
			wantProgress: "Packages debian/bookworm/main/amd64: mirror A failed (GET A/" + amd64Dir + "Packages.xz: 503 Service Unavailable): trying B",
		},
		{
			name: "first mirror down, second at another state",
			setup: func(t *testing.T, a, b *archive) {
				a.publish(t, "bookworm", full, "", key)
				a.force(amd64Dir+"Packages.xz", http.StatusServiceUnavailable)
				b.publish(t, "bookworm", indexFilesOf(t, strings.Replace(testPackages, "deb12u10", "deb12u11", -1)), "", key)
			},
			wantErr: "Packages debian/bookworm/main/amd64: " + amd64Dir + "Packages.xz from B: size ",
		},
		{
			name:      "component not in the Release",
			setup:     func(t *testing.T, a, b *archive) { a.publish(t, "bookworm", full, "", key) },
			component: "contrib",
			wantErr:   "Packages debian/bookworm/contrib/amd64: contrib/binary-amd64/Packages is not in the Release (components: main; architectures: amd64 arm64)",
		},
		{
			name: "paragraph without Filename",
			setup: func(t *testing.T, a, b *archive) {
				a.publish(t, "bookworm", indexFilesOf(t, strings.Replace(testPackages, "Filename: pool/main/o/openssl/libssl3_3.0.15-1~deb12u1_amd64.deb\n", "", 1)), "", key)
			},
			wantErr: `Packages debian/bookworm/main/amd64: main/binary-amd64/Packages.xz: paragraph 2 (package "libssl3"): Filename "" is not a path in the archive`,
		},
		{
			name: "paragraph with an escaping Filename",
			setup: func(t *testing.T, a, b *archive) {
				a.publish(t, "bookworm", indexFilesOf(t, strings.Replace(testPackages, "Filename: pool/main/t/", "Filename: ../../t/", 1)), "", key)
			},
			wantErr: `Packages debian/bookworm/main/amd64: main/binary-amd64/Packages.xz: paragraph 3 (package "tzdata"): Filename "../../t/tzdata/tzdata_2025b-0+deb12u1_all.deb" is not a path in the archive`,
		},
		{
			name: "architecture-independent packages apart",
			setup: func(t *testing.T, a, b *archive) {
				parts := strings.SplitAfter(testPackages, "\n\n")
				index := indexFilesOf(t, parts[0]+parts[1])
				index["main/binary-all/Packages.xz"] = xzBytes(t, []byte(parts[2]))
				a.publish(t, "bookworm", index, "", key)
				// The Release says "Architectures: amd64 arm64"; make it list all.
				inRelease := releaseText("bookworm", index, "")
				inRelease = strings.Replace(inRelease, "Architectures: amd64 arm64", "Architectures: all amd64 arm64", 1)
				a.set("dists/bookworm/InRelease", sign(t, inRelease, testNow, key))
			},
			want:         wantPkgs,
			wantProgress: "fetched Packages debian/bookworm/main/amd64 (3 packages)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newArchive(t), newArchive(t)
			tc.setup(t, a, b)
			c, progress := testClient(t, Mirrors{"debian": {a.URL, b.URL}}, keyring)
			ctx := context.Background()
			rel, err := c.Release(ctx, "debian", "bookworm")
			if err != nil {
				t.Fatal(err)
			}
			component := tc.component
			if component == "" {
				component = "main"
			}
			cands, err := c.Packages(ctx, rel, component, "amd64")
			urls := strings.NewReplacer("A", a.URL, "B", b.URL)
			if tc.wantErr != "" {
				want := urls.Replace(tc.wantErr)
				if err == nil || !strings.HasPrefix(err.Error(), want) {
					t.Fatalf("Packages error:\n got %v\nwant %s", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, pkgs(cands)); diff != "" {
				t.Errorf("Packages (-want +got):\n%s", diff)
			}
			for path, want := range tc.wantHits {
				if got := a.hit(path); got != want {
					t.Errorf("first mirror: %d requests for %s, want %d", got, path, want)
				}
			}
			if want := urls.Replace(tc.wantProgress); !strings.Contains(progress.String(), want) {
				t.Errorf("progress does not say %q:\n%s", want, progress)
			}
		})
	}
}

func TestPackagesCache(t *testing.T) {
	key := newKey(t, "Test Archive Automatic Signing Key", testNow.AddDate(-1, 0, 0), 0)
	keyring := writeKeyring(t, "keyring.gpg", key)
	ctx := context.Background()
	cache := t.TempDir()
	full := indexFilesOf(t, testPackages)
	a := newArchive(t)
	a.publish(t, "bookworm", full, "", key)

	// lock fetches the Release and the index once, as `distill lock` does.
	lock := func(t *testing.T, wantProgress string) {
		t.Helper()
		c, progress := testClient(t, Mirrors{"debian": {a.URL}}, keyring, WithCache(cache))
		rel, err := c.Release(ctx, "debian", "bookworm")
		if err != nil {
			t.Fatal(err)
		}
		cands, err := c.Packages(ctx, rel, "main", "amd64")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wantPkgs, pkgs(cands)); diff != "" {
			t.Errorf("Packages (-want +got):\n%s", diff)
		}
		if !strings.Contains(progress.String(), wantProgress+"\n") {
			t.Errorf("progress does not say %q:\n%s", wantProgress, progress)
		}
	}
	plain := filepath.Join(cache, "sha256", hexSum(full["main/binary-amd64/Packages"]))

	lock(t, "fetched Packages debian/bookworm/main/amd64 (3 packages)")
	if got, err := os.ReadFile(plain); err != nil || string(got) != testPackages {
		t.Fatalf("the cache does not hold the uncompressed index: %v", err)
	}
	// The mirror is now broken, but the cache has what the Release lists.
	a.force(amd64Dir+"Packages.xz", http.StatusInternalServerError)
	lock(t, "fetched Packages debian/bookworm/main/amd64 (3 packages, from the cache)")
	if got := a.hit("dists/bookworm/InRelease"); got != 2 {
		t.Errorf("InRelease fetched %d times, want 2: it is never cached", got)
	}
	// A damaged cache entry is fetched again.
	a.force(amd64Dir+"Packages.xz", 0)
	if err := os.WriteFile(plain, []byte("Package: evil\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lock(t, "fetched Packages debian/bookworm/main/amd64 (3 packages)")
	if got, err := os.ReadFile(plain); err != nil || string(got) != testPackages {
		t.Errorf("the damaged cache entry was not replaced: %v", err)
	}
}

func TestGroupDigits(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1 000", 63512: "63 512", 1234567: "1 234 567"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}
