package apt

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRelease(t *testing.T) {
	key := newKey(t, "Test Archive Automatic Signing Key", testNow.AddDate(-1, 0, 0), 0)
	other := newKey(t, "Someone Else", testNow.AddDate(-1, 0, 0), 0)
	expiring := newKey(t, "Expired Key", testNow.Add(-48*time.Hour), 24*time.Hour)
	keyring := writeKeyring(t, "keyring.gpg", key, expiring)
	index := indexFilesOf(t, testPackages)
	good := releaseText("bookworm", index, "")

	tests := []struct {
		name      string
		inRelease func() []byte
		opts      []Option
		wantErr   string // the whole error, after "InRelease debian/bookworm: "
	}{
		{name: "good", inRelease: func() []byte { return sign(t, good, testNow, key) }},
		{
			name:      "good and unknown signatures",
			inRelease: func() []byte { return sign(t, good, testNow, other, key) },
		},
		{
			name: "tampered body",
			inRelease: func() []byte {
				return bytes.Replace(sign(t, good, testNow, key), []byte("Codename: bookworm"), []byte("Codename: bookwork"), 1)
			},
			wantErr: "bad signature by key " + idOf(key) + " (the file was changed after it was signed)",
		},
		{
			name:      "unsigned",
			inRelease: func() []byte { return []byte(good) },
			wantErr:   "not signed: not an OpenPGP clearsigned message",
		},
		{
			name:      "unknown key",
			inRelease: func() []byte { return sign(t, good, testNow, other) },
			wantErr:   "signature by unknown key " + idOf(other),
		},
		{
			name:      "expired key",
			inRelease: func() []byte { return sign(t, good, testNow.Add(-36*time.Hour), expiring) },
			wantErr:   "signature by expired key " + idOf(expiring),
		},
		{
			name:      "expired and unknown keys",
			inRelease: func() []byte { return sign(t, good, testNow.Add(-36*time.Hour), expiring, other) },
			wantErr:   "signature by expired key " + idOf(expiring) + "; signature by unknown key " + idOf(other),
		},
		{
			name: "text after the signature",
			inRelease: func() []byte {
				return append(sign(t, good, testNow, key), "Codename: trixie\n"...)
			},
			wantErr: "text after the signature",
		},
		{
			name: "text before the signed message",
			inRelease: func() []byte {
				return append([]byte("Codename: trixie\n\n"), sign(t, good, testNow, key)...)
			},
			wantErr: "not signed: not an OpenPGP clearsigned message",
		},
		{
			name:      "another suite",
			inRelease: func() []byte { return sign(t, releaseText("bullseye", index, ""), testNow, key) },
			wantErr:   `the Release is for suite "stable" (codename "bullseye"), not "bookworm"`,
		},
		{
			name: "Valid-Until in the past",
			inRelease: func() []byte {
				return sign(t, releaseText("bookworm", index, "Valid-Until: Sat, 03 May 2025 09:00:00 UTC\n"), testNow, key)
			},
			wantErr: "the Release expired on Sat, 03 May 2025 09:00:00 UTC (Valid-Until): the mirror serves stale metadata (a snapshot mirror needs the Valid-Until check turned off)",
		},
		{
			name: "Valid-Until in the past, check off",
			inRelease: func() []byte {
				return sign(t, releaseText("bookworm", index, "Valid-Until: Sat, 03 May 2025 09:00:00 UTC\n"), testNow, key)
			},
			opts: []Option{WithCheckValidUntil(false)},
		},
		{
			name: "Valid-Until in the future",
			inRelease: func() []byte {
				return sign(t, releaseText("bookworm", index, "Valid-Until: Sat, 17 May 2025 09:00:00 UTC\n"), testNow, key)
			},
		},
		{
			name: "no SHA256 list",
			inRelease: func() []byte {
				return sign(t, strings.Split(good, "SHA256:")[0], testNow, key)
			},
			wantErr: "the Release has no SHA256 list",
		},
		{
			name: "bad Date",
			inRelease: func() []byte {
				return sign(t, strings.Replace(good, testDate, "yesterday", 1), testNow, key)
			},
			wantErr: `the Release's Date: "yesterday" is not a date like "Sat, 10 May 2025 09:00:00 UTC"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newArchive(t)
			a.set("dists/bookworm/InRelease", tc.inRelease())
			c, progress := testClient(t, Mirrors{"debian": {a.URL}}, keyring, tc.opts...)
			rel, err := c.Release(context.Background(), "debian", "bookworm")
			if tc.wantErr != "" {
				want := "InRelease debian/bookworm: " + tc.wantErr + " (from " + a.URL + ")"
				if err == nil || err.Error() != want {
					t.Fatalf("Release error:\n got %v\nwant %s", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{idOf(key)}, rel.SignedBy); diff != "" {
				t.Errorf("SignedBy (-want +got):\n%s", diff)
			}
			got := map[string]any{
				"Archive": rel.Archive, "Suite": rel.Suite, "Mirror": rel.Mirror, "Codename": rel.Codename,
				"Date": rel.Date, "Time": rel.Time, "Architectures": rel.Architectures,
				"Components": rel.Components, "Files": rel.Files, "Origin": rel.Fields.Values["Origin"],
			}
			want := map[string]any{
				"Archive": "debian", "Suite": "bookworm", "Mirror": a.URL, "Codename": "bookworm",
				"Date": testDate, "Time": time.Date(2025, 5, 10, 9, 0, 0, 0, time.UTC),
				"Architectures": []string{"amd64", "arm64"}, "Components": []string{"main"},
				"Files": map[string]File{
					"main/binary-amd64/Packages":    {int64(len(index["main/binary-amd64/Packages"])), hexSum(index["main/binary-amd64/Packages"])},
					"main/binary-amd64/Packages.gz": {int64(len(index["main/binary-amd64/Packages.gz"])), hexSum(index["main/binary-amd64/Packages.gz"])},
					"main/binary-amd64/Packages.xz": {int64(len(index["main/binary-amd64/Packages.xz"])), hexSum(index["main/binary-amd64/Packages.xz"])},
				},
				"Origin": "Debian",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Release (-want +got):\n%s", diff)
			}
			if want := "fetched InRelease debian/bookworm (verified: " + idOf(key) + ")\n"; progress.String() != want {
				t.Errorf("progress:\n got %q\nwant %q", progress.String(), want)
			}
		})
	}
}

func TestReleaseMirrors(t *testing.T) {
	key := newKey(t, "Test Archive Automatic Signing Key", testNow.AddDate(-1, 0, 0), 0)
	other := newKey(t, "Someone Else", testNow.AddDate(-1, 0, 0), 0)
	keyring := writeKeyring(t, "keyring.asc", key)
	index := indexFilesOf(t, testPackages)

	tests := []struct {
		name string
		// first sets up the first mirror; the second serves a good archive.
		first       func(a *archive)
		dead        bool // the first mirror refuses connections
		wantErr     string
		wantHits    int // requests the first mirror saw for InRelease
		wantMessage string
	}{
		{name: "first mirror good", first: func(a *archive) { a.publish(t, "bookworm", index, "", key) }, wantHits: 1},
		{name: "first mirror refuses connections", dead: true, wantMessage: "connection refused"},
		{name: "first mirror 503", first: func(a *archive) { a.force("*", http.StatusServiceUnavailable) }, wantHits: 2, wantMessage: "503 Service Unavailable"},
		{name: "first mirror 404", first: func(a *archive) {}, wantHits: 1, wantMessage: "404 Not Found"},
		{
			name:    "first mirror signed by an unknown key",
			first:   func(a *archive) { a.publish(t, "bookworm", index, "", other) },
			wantErr: "InRelease debian/bookworm: signature by unknown key " + idOf(other) + " (from FIRST)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first := deadURL(t)
			var a *archive
			if !tc.dead {
				a = newArchive(t)
				tc.first(a)
				first = a.URL
			}
			b := newArchive(t)
			b.publish(t, "bookworm", index, "", key)
			c, progress := testClient(t, Mirrors{"debian": {first, b.URL}}, keyring)
			rel, err := c.Release(context.Background(), "debian", "bookworm")
			if tc.wantErr != "" {
				want := strings.ReplaceAll(tc.wantErr, "FIRST", first)
				if err == nil || err.Error() != want {
					t.Fatalf("Release error:\n got %v\nwant %s", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantMirror := b.URL
			if tc.wantMessage == "" {
				wantMirror = first
			}
			if rel.Mirror != wantMirror {
				t.Errorf("Release came from %s, want %s", rel.Mirror, wantMirror)
			}
			if a != nil {
				if got := a.hit("dists/bookworm/InRelease"); got != tc.wantHits {
					t.Errorf("first mirror saw %d requests, want %d", got, tc.wantHits)
				}
			}
			if tc.wantMessage == "" {
				return
			}
			if p := progress.String(); !strings.Contains(p, "mirror "+first+" failed") || !strings.Contains(p, tc.wantMessage) {
				t.Errorf("progress does not say mirror %s failed with %q:\n%s", first, tc.wantMessage, p)
			}
		})
	}
}

func TestReleaseErrors(t *testing.T) {
	key := newKey(t, "Test Archive Automatic Signing Key", testNow.AddDate(-1, 0, 0), 0)
	keyring := writeKeyring(t, "keyring.gpg", key)
	a := newArchive(t)
	a.force("*", http.StatusInternalServerError)
	dead := deadURL(t)
	tests := []struct {
		name    string
		mirrors Mirrors
		suite   string
		wantErr string
	}{
		{
			name:    "no mirror",
			mirrors: Mirrors{"debian-security": {dead}},
			suite:   "bookworm",
			wantErr: `InRelease debian/bookworm: no mirror for archive "debian" (mirrors known for: debian-security): pass --mirror debian=URL or set DISTILL_DEBIAN_MIRRORS, or add it to the apt sources`,
		},
		{
			name:    "bad suite",
			mirrors: Mirrors{"debian": {dead}},
			suite:   "../bookworm",
			wantErr: `InRelease debian/../bookworm: suite "../bookworm" is not a directory name under dists/`,
		},
		{
			name:    "every mirror fails",
			mirrors: Mirrors{"debian": {dead, a.URL}},
			suite:   "bookworm",
			wantErr: "InRelease debian/bookworm: GET " + dead + "/dists/bookworm/InRelease: dial tcp " + strings.TrimSuffix(strings.TrimPrefix(dead, "http://"), "/debian") +
				": connect: connection refused; GET " + a.URL + "/dists/bookworm/InRelease: 500 Internal Server Error",
		},
		{
			name:    "not found",
			mirrors: Mirrors{"debian": {a.URL}},
			suite:   "bookworm-backports",
			wantErr: "InRelease debian/bookworm-backports: not found on any mirror (GET " + a.URL + "/dists/bookworm-backports/InRelease: 404 Not Found)",
		},
	}
	a.force("dists/bookworm-backports/InRelease", http.StatusNotFound)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := testClient(t, tc.mirrors, keyring)
			_, err := c.Release(context.Background(), "debian", tc.suite)
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("Release error:\n got %v\nwant %s", err, tc.wantErr)
			}
		})
	}
}

func TestNewClientKeyrings(t *testing.T) {
	dir := t.TempDir()
	empty := dir + "/empty.gpg"
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		keyrings []string
		wantErr  string
	}{
		{name: "none", wantErr: "no keyring given: name the keyrings that sign the archives (/usr/share/keyrings/debian-archive-keyring.gpg on Debian)"},
		{name: "missing", keyrings: []string{dir + "/missing.gpg"}, wantErr: "reading keyring: open " + dir + "/missing.gpg: no such file or directory"},
		{name: "empty", keyrings: []string{empty}, wantErr: "keyring " + empty + ": no key in it"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewClient(Mirrors{}, tc.keyrings)
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("NewClient error:\n got %v\nwant %s", err, tc.wantErr)
			}
		})
	}
}
