package lock

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	distlock "github.com/rules-distill/rules_distill/tools/pkg/lock"
)

const realManifest = `version: 1
archives:
  - name: debian
    suites: [bookworm, bookworm-updates]
    components: [main]
  - name: debian-security
    suites: [bookworm-security]
    components: [main]
architectures: [amd64, arm64]
packages:
  - libc6
  - libssl3
  - tzdata
  - ca-certificates
  - python3.11-minimal
`

// TestRealLock locks a real package set against the Debian archive, through
// the mirrors of the host's apt sources (or DISTILL_DEBIAN_MIRRORS), twice.
// It needs the network: run it with DISTILL_TEST_NETWORK=1 (and -v for the
// timings and the resolved sets).
func TestRealLock(t *testing.T) {
	if os.Getenv("DISTILL_TEST_NETWORK") != "1" {
		t.Skip("reads the real Debian archive: set DISTILL_TEST_NETWORK=1 to run it")
	}
	defer func(old string) { aptDir = old }(aptDir)
	aptDir = "/etc/apt"

	dir := t.TempDir()
	manifestPath := filepath.Join(dir, "packages.yaml")
	if err := os.WriteFile(manifestPath, []byte(realManifest), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(dir, "cache")
	var locks [][]byte
	for i, what := range []string{"cold cache", "warm cache"} {
		output := filepath.Join(dir, "packages.lock.json")
		var stderr bytes.Buffer
		start := time.Now()
		err := Run(context.Background(), []string{"--manifest", manifestPath, "--output", output, "--cache", cache}, io.Discard, &stderr)
		t.Logf("run %d (%s): %s\n%s", i+1, what, time.Since(start).Round(time.Millisecond), stderr.String())
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(output)
		if err != nil {
			t.Fatal(err)
		}
		locks = append(locks, data)
	}
	if !bytes.Equal(locks[0], locks[1]) {
		t.Errorf("two runs gave different locks (did the archive change in between?)")
	}

	l, err := distlock.Read(filepath.Join(dir, "packages.lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	byArch := map[string][]string{}
	for _, p := range l.Packages {
		byArch[p.ForArchitecture] = append(byArch[p.ForArchitecture], p.Name+"="+p.Version)
		if !strings.HasPrefix(p.Filename, "pool/") || len(p.SHA256) != 64 {
			t.Errorf("%s: filename %q, sha256 %q", p.Key(), p.Filename, p.SHA256)
		}
		switch p.Name {
		case "dpkg", "perl-base", "bash", "debconf", "coreutils":
			t.Errorf("%s is in the closure", p.Key())
		}
	}
	for _, arch := range []string{"amd64", "arm64"} {
		if _, ok := l.Find("libc6", arch); !ok {
			t.Errorf("libc6 is not locked for %s", arch)
		}
		t.Logf("%s: %d packages: %s", arch, len(byArch[arch]), strings.Join(byArch[arch], " "))
	}
	closure, err := l.Closure("python3.11-minimal", "amd64")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range closure {
		s := p.Name + " " + p.Version + " (" + p.Suite
		if len(p.Excluded) > 0 {
			s += "; excluded " + strings.Join(p.Excluded, ",")
		}
		names = append(names, s+")")
	}
	t.Logf("python3.11-minimal amd64 closure (%d):\n  %s", len(closure), strings.Join(names, "\n  "))
}
