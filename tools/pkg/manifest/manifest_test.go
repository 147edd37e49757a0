package manifest

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const full = `version: 1
archives:
  - name: debian
    suites: [bookworm, bookworm-updates]
    components: [main]
  - name: debian-security
    suites: [bookworm-security]
architectures: [amd64, arm64]
packages:
  - libc6
  - python3.11-minimal
  - libssl3:arm64
exclude: [libfoo]
default_exclusions: true
keyrings: [/usr/share/keyrings/debian-archive-keyring.gpg]
merged_usr: false
`

func TestParse(t *testing.T) {
	f := false
	sum := sha256.Sum256([]byte(full))
	want := &Manifest{
		Version: 1,
		Archives: []Archive{
			{Name: "debian", Suites: []string{"bookworm", "bookworm-updates"}, Components: []string{"main"}},
			{Name: "debian-security", Suites: []string{"bookworm-security"}, Components: []string{"main"}},
		},
		Architectures:     []string{"amd64", "arm64"},
		Packages:          []Package{{Name: "libc6"}, {Name: "python3.11-minimal"}, {Name: "libssl3", Architecture: "arm64"}},
		Exclude:           []string{"libfoo"},
		DefaultExclusions: true,
		Keyrings:          []string{DefaultKeyring},
		MergedUsr:         &f,
		SHA256:            hex.EncodeToString(sum[:]),
	}
	got, err := Parse("packages.yaml", []byte(full))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"libc6", "python3.11-minimal"}, got.Requests("amd64")); diff != "" {
		t.Errorf("Requests(amd64) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"libc6", "libssl3", "python3.11-minimal"}, got.Requests("arm64")); diff != "" {
		t.Errorf("Requests(arm64) (-want +got):\n%s", diff)
	}
	excl := got.Exclusions()
	if !slices.Contains(excl, "libfoo") || !slices.Contains(excl, "dpkg") || !slices.IsSorted(excl) {
		t.Errorf("Exclusions() = %q, want the sorted defaults and libfoo", excl)
	}
	if got.MergedUsrFor("trixie") {
		t.Errorf("MergedUsrFor(trixie) = true with merged_usr: false")
	}
}

func TestDefaults(t *testing.T) {
	m, err := Parse("packages.yaml", []byte("version: 1\narchives: [{name: debian, suites: [trixie]}]\narchitectures: [amd64]\npackages: [libc6]\ndefault_exclusions: false\nexclude: [bash]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"main"}, m.Archives[0].Components); diff != "" {
		t.Errorf("default components (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{DefaultKeyring}, m.Keyrings); diff != "" {
		t.Errorf("default keyrings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"bash"}, m.Exclusions()); diff != "" {
		t.Errorf("Exclusions without defaults (-want +got):\n%s", diff)
	}
	if m.MergedUsr != nil || !m.MergedUsrFor("trixie") || m.MergedUsrFor("bookworm-security") {
		t.Errorf("merged_usr unset: want suite defaults")
	}
}

func TestDefaultExclusionsSorted(t *testing.T) {
	d := DefaultExclusions()
	if !slices.IsSorted(d) || len(slices.Compact(slices.Clone(d))) != len(d) {
		t.Errorf("DefaultExclusions() = %q, want sorted and unique", d)
	}
	for _, name := range []string{"dpkg", "perl-base", "bash", "debconf", "coreutils"} {
		if !slices.Contains(d, name) {
			t.Errorf("DefaultExclusions() lacks %q", name)
		}
	}
}

func TestDefaultMergedUsr(t *testing.T) {
	tests := map[string]bool{
		"bookworm":           false,
		"bookworm-security":  false,
		"bookworm-updates":   false,
		"bookworm-backports": false,
		"bullseye":           false,
		"trixie":             true,
		"trixie-security":    true,
		"forky":              true,
		"sid":                true,
		"testing":            true,
		"unstable":           true,
	}
	for suite, want := range tests {
		if got := DefaultMergedUsr(suite); got != want {
			t.Errorf("DefaultMergedUsr(%q) = %t, want %t", suite, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	const head = "version: 1\narchives: [{name: debian, suites: [bookworm]}]\narchitectures: [amd64]\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"empty", "", "packages.yaml: empty manifest"},
		{"comment only", "# nothing\n", "packages.yaml: empty manifest"},
		{"not yaml", "version: [1\n", "packages.yaml: line 1: did not find expected"},
		{"two documents", head + "packages: [a1]\n---\nversion: 1\n", "packages.yaml:5: more than one YAML document"},
		{"not a mapping", "- a\n", "packages.yaml:1: the manifest must be a mapping"},
		{"unknown top key", head + "packages: [libc6]\narchs: [amd64]\n", `packages.yaml:5: unknown key "archs" in the manifest (known: version, archives`},
		{"unknown archive key", "version: 1\narchives:\n  - name: debian\n    suite: [bookworm]\n", `packages.yaml:4: unknown key "suite" in an archive`},
		{"duplicate key", head + "packages: [libc6]\npackages: [libc6]\n", `packages.yaml:5: key "packages" given twice`},
		{"missing packages", head, `packages.yaml:1: missing required key "packages"`},
		{"bad version", "version: 2\n" + head[len("version: 1\n"):] + "packages: [a1]\n", `packages.yaml:1: version must be 1, got "2"`},
		{"no archives", "version: 1\narchives: []\narchitectures: [amd64]\npackages: [a1]\n", "packages.yaml:2: archives must be a non-empty list"},
		{"archive twice", "version: 1\narchives:\n  - {name: d, suites: [s]}\n  - {name: d, suites: [t]}\narchitectures: [amd64]\npackages: [a1]\n", `packages.yaml:4: archive "d" is listed twice`},
		{"archive without suites", "version: 1\narchives:\n  - {name: d}\narchitectures: [amd64]\npackages: [a1]\n", `packages.yaml:3: archive "d" has no suites`},
		{"bad suite", "version: 1\narchives:\n  - {name: d, suites: [../x]}\narchitectures: [amd64]\npackages: [a1]\n", `packages.yaml:3: suites: "../x" is not a suite name`},
		{"bad archive name", "version: 1\narchives:\n  - {name: https://archive.invalid/debian, suites: [s]}\narchitectures: [amd64]\npackages: [a1]\n", `packages.yaml:3: archive name "https://archive.invalid/debian"`},
		{"arch all", "version: 1\narchives: [{name: d, suites: [s]}]\narchitectures: [amd64, all]\npackages: [a1]\n", `packages.yaml:3: architectures: "all" is not a machine architecture`},
		{"bad package", head + "packages:\n  - libc6\n  - Libc6\n", `packages.yaml:6: packages: "Libc6" is not a Debian package name`},
		{"package twice", head + "packages:\n  - libc6\n  - libc6\n", `packages.yaml:6: packages: "libc6" is listed twice`},
		{"package arch not locked", head + "packages: [libc6:arm64]\n", `packages.yaml:4: packages: "libc6:arm64" names architecture "arm64", which is not in architectures [amd64]`},
		{"package not a string", head + "packages: [[libc6]]\n", "packages.yaml:4: packages: every item must be a string"},
		{"bad exclusion", head + "packages: [a1]\nexclude: [\"a b\"]\n", `packages.yaml:5: exclude: "a b" is not a Debian package name`},
		{"bad bool", head + "packages: [a1]\ndefault_exclusions: maybe\n", `packages.yaml:5: default_exclusions must be true or false, got "maybe"`},
		{"empty keyrings", head + "packages: [a1]\nkeyrings: []\n", "packages.yaml:5: keyrings must not be empty"},
		{"merged_usr string", head + "packages: [a1]\nmerged_usr: \"yes\"\n", `packages.yaml:5: merged_usr must be true or false, got "yes"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("packages.yaml", []byte(tc.yaml))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("Parse error = %v, want one starting with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "packages.yaml")
	if err := os.WriteFile(path, []byte(full), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Packages) != 3 {
		t.Errorf("Read: %d packages, want 3", len(m.Packages))
	}
	if _, err := Read(path + ".missing"); err == nil || !strings.Contains(err.Error(), "reading manifest") {
		t.Errorf("Read of a missing file: %v", err)
	}
}
