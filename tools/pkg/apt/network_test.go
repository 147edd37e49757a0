package apt

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRealArchive reads the real Debian archive through the mirrors of the
// host's apt sources (or DISTILL_DEBIAN_MIRRORS). It needs the network:
// run it with DISTILL_TEST_NETWORK=1.
func TestRealArchive(t *testing.T) {
	if os.Getenv("DISTILL_TEST_NETWORK") != "1" {
		t.Skip("reads the real Debian archive: set DISTILL_TEST_NETWORK=1 to run it")
	}
	m, err := ResolveMirrors(nil, os.Getenv(EnvMirrors), "/etc/apt")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"debian", "debian-security"} {
		if len(m[name]) == 0 {
			t.Fatalf("no mirror for %s in /etc/apt or %s: %v", name, EnvMirrors, m)
		}
	}
	ctx := context.Background()
	var progress bytes.Buffer
	cache := t.TempDir()
	c, err := NewClient(m, []string{DefaultKeyring}, WithProgress(&progress), WithCache(cache))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { t.Logf("progress:\n%s", progress.String()) }()

	releases := map[string]*Release{}
	for _, s := range []struct{ archive, suite string }{
		{"debian", "bookworm"}, {"debian", "bookworm-updates"}, {"debian-security", "bookworm-security"}, {"debian", "trixie"},
	} {
		start := time.Now()
		rel, err := c.Release(ctx, s.archive, s.suite)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("InRelease %s: %s, %d files listed, signed by %v, Date %s, Valid-Until %v",
			rel, time.Since(start).Round(time.Millisecond), len(rel.Files), rel.SignedBy, rel.Date, rel.ValidUntil)
		releases[s.suite] = rel
	}

	// Each release also verifies with its own keyrings alone.
	keyrings := map[string][]string{
		"bookworm":          {"debian-archive-bookworm-automatic.gpg", "debian-archive-bookworm-stable.gpg"},
		"bookworm-updates":  {"debian-archive-bookworm-automatic.gpg"},
		"bookworm-security": {"debian-archive-bookworm-security-automatic.gpg"},
		"trixie":            {"debian-archive-trixie-automatic.gpg", "debian-archive-trixie-stable.gpg"},
	}
	for suite, files := range keyrings {
		var paths []string
		for _, f := range files {
			p := filepath.Join("/usr/share/keyrings", f)
			if _, err := os.Stat(p); err == nil {
				paths = append(paths, p)
			}
		}
		if len(paths) == 0 {
			t.Logf("%s: none of %v in /usr/share/keyrings", suite, files)
			continue
		}
		only, err := NewClient(m, paths)
		if err != nil {
			t.Fatal(err)
		}
		rel, err := only.Release(ctx, releases[suite].Archive, suite)
		if err != nil {
			t.Errorf("with %v only: %v", files, err)
			continue
		}
		t.Logf("InRelease %s verifies with %v alone (keys %v)", rel, files, rel.SignedBy)
	}

	for _, round := range []string{"network", "cache"} {
		for _, arch := range []string{"amd64", "arm64"} {
			start := time.Now()
			cands, err := c.Packages(ctx, releases["bookworm"], "main", arch)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("Packages bookworm/main/%s from the %s: %d packages in %s (Packages.xz %d bytes)", arch, round,
				len(cands), time.Since(start).Round(time.Millisecond), releases["bookworm"].Files["main/binary-"+arch+"/Packages.xz"].Size)
			found := false
			for _, p := range cands {
				if p.Package == "libc6" {
					found = true
					if !strings.HasPrefix(p.Filename, "pool/main/g/glibc/libc6_") || p.Architecture.String() != arch || p.Archive != "debian" || p.Suite != "bookworm" || p.Component != "main" {
						t.Errorf("libc6: %s %s %s %s/%s/%s", p.Filename, p.Architecture, p.Version, p.Archive, p.Suite, p.Component)
					}
					t.Logf("libc6 %s %s %s (%d bytes)", p.Version, p.Architecture, p.Filename, p.Size)
				}
			}
			if !found {
				t.Errorf("bookworm/main/%s: no libc6", arch)
			}
		}
	}

	start := time.Now()
	sec, err := c.Packages(ctx, releases["bookworm-security"], "main", "amd64")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Packages bookworm-security/main/amd64: %d packages in %s", len(sec), time.Since(start).Round(time.Millisecond))
	for _, p := range sec {
		if !strings.HasPrefix(p.Filename, "pool/updates/") {
			t.Errorf("bookworm-security: %s has Filename %s, want pool/updates/...", p.Package, p.Filename)
			break
		}
	}
}
