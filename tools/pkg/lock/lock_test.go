package lock

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/example.lock.json from Marshal's output")

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func pkg(name, arch, forArch string, depends ...string) Package {
	return Package{
		Name:            name,
		Version:         "1.0-1",
		Architecture:    arch,
		ForArchitecture: forArch,
		Archive:         "debian",
		Suite:           "bookworm",
		Component:       "main",
		Filename:        "pool/main/" + name[:1] + "/" + name + "/" + name + "_1.0-1_" + arch + ".deb",
		SHA256:          sha(name + arch),
		Size:            1234,
		Source:          name,
		Depends:         depends,
		Excluded:        []string{},
	}
}

// example is a small valid lock, deliberately unsorted.
func example() *Lock {
	libc := pkg("libc6", "amd64", "amd64", "libgcc-s1")
	libc.Source, libc.Version, libc.Filename = "glibc", "2.36-9+deb12u10", "pool/main/g/glibc/libc6_2.36-9+deb12u10_amd64.deb"
	gcc := pkg("libgcc-s1", "amd64", "amd64", "libc6", "gcc-12-base")
	gcc.Source = "gcc-12"
	tz := pkg("tzdata", "all", "amd64")
	tz.Excluded = []string{"debconf-2.0", "debconf"}
	tz.Suite = "bookworm-updates"
	tzArm := tz
	tzArm.ForArchitecture = "arm64"
	sec := pkg("libssl3", "arm64", "arm64", "libc6")
	sec.Archive, sec.Suite, sec.Source = "debian-security", "bookworm-security", "openssl"
	return &Lock{
		Version:        1,
		ManifestSHA256: sha("packages.yaml"),
		Archives: map[string]map[string]Suite{
			"debian-security": {"bookworm-security": {Date: "Sun, 18 May 2025 16:41:23 UTC"}},
			"debian": {
				"bookworm-updates": {Date: "Tue, 20 May 2025 02:20:22 UTC"},
				"bookworm":         {Date: "Sat, 17 May 2025 09:04:18 UTC"},
			},
		},
		Packages: []Package{
			tzArm, tz, sec, pkg("libc6", "arm64", "arm64"), gcc, libc,
			pkg("gcc-12-base", "amd64", "amd64"),
		},
	}
}

func TestMarshalGolden(t *testing.T) {
	data, err := Marshal(example())
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "example.lock.json")
	if *update {
		if err := os.WriteFile(golden, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(data)); diff != "" {
		t.Errorf("Marshal (-want +got):\n%s", diff)
	}
	if !bytes.HasSuffix(data, []byte("}\n")) || bytes.Contains(data, []byte("\t")) {
		t.Errorf("want two-space indent and a final newline")
	}
	// Unmarshal and Marshal again: the same bytes.
	l, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Errorf("Marshal(Unmarshal(data)) differs from data")
	}
}

func TestMarshalDoesNotModify(t *testing.T) {
	l := example()
	before := example()
	if _, err := Marshal(l); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, l); diff != "" {
		t.Errorf("Marshal modified its argument (-before +after):\n%s", diff)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(l *Lock)
		want   string
	}{
		{"version", func(l *Lock) { l.Version = 2 }, "version 2: this distill reads version 1"},
		{"manifest sha", func(l *Lock) { l.ManifestSHA256 = "abc" }, `manifest_sha256 "abc"`},
		{"no archives", func(l *Lock) { l.Archives = nil }, "archives: empty"},
		{"no date", func(l *Lock) { l.Archives["debian"]["bookworm"] = Suite{} }, "archives: debian/bookworm: no date"},
		{"bad suite", func(l *Lock) { l.Archives["debian"]["../x"] = Suite{Date: "x"} }, `archives: debian: bad suite name "../x"`},
		{"unsorted", func(l *Lock) { l.Packages[0], l.Packages[1] = l.Packages[1], l.Packages[0] }, "packages[1] (gcc-12-base:amd64): not after libc6:amd64"},
		{"duplicate", func(l *Lock) { l.Packages[1] = l.Packages[0] }, "packages[1] (gcc-12-base:amd64): not after gcc-12-base:amd64"},
		{"bad name", func(l *Lock) { l.Packages[0].Name = "GCC" }, `name "GCC" is not a Debian package name`},
		{"bad version", func(l *Lock) { l.Packages[0].Version = "x y" }, `version "x y": version string has embedded spaces`},
		{"for all", func(l *Lock) { l.Packages[0].ForArchitecture = "all" }, `for_architecture "all" is not a machine architecture`},
		{"other arch", func(l *Lock) { l.Packages[0].Architecture = "arm64" }, `architecture "arm64": want "amd64" or "all"`},
		{"unknown suite", func(l *Lock) { l.Packages[0].Suite = "trixie" }, "debian/trixie is not in archives"},
		{"absolute filename", func(l *Lock) { l.Packages[0].Filename = "/pool/main/x.deb" }, `filename "/pool/main/x.deb" is not a clean pool/.../*.deb path`},
		{"dotdot filename", func(l *Lock) { l.Packages[0].Filename = "pool/../../x.deb" }, "is not a clean pool"},
		{"url filename", func(l *Lock) { l.Packages[0].Filename = "https://archive.invalid/pool/x.deb" }, "is not a clean pool"},
		{"sha256", func(l *Lock) { l.Packages[0].SHA256 = strings.ToUpper(l.Packages[0].SHA256) }, "sha256 "},
		{"size", func(l *Lock) { l.Packages[0].Size = 0 }, "size 0 is not positive"},
		{"source", func(l *Lock) { l.Packages[0].Source = "" }, `source "" is not a Debian package name`},
		{"depends missing", func(l *Lock) { l.Packages[0].Depends = nil }, "depends: missing"},
		{"depends unsorted", func(l *Lock) { l.Packages[2].Depends = []string{"libgcc-s1", "gcc-12-base"} }, `depends: not sorted and unique at "gcc-12-base"`},
		{"depends itself", func(l *Lock) { l.Packages[0].Depends = []string{"gcc-12-base"} }, "depends on itself"},
		{"depends on unlocked", func(l *Lock) { l.Packages[0].Depends = []string{"zlib1g"} }, "packages[0] (gcc-12-base:amd64): depends on zlib1g, which is not locked for amd64"},
		{"depends other arch", func(l *Lock) { l.Packages[0].Depends = []string{"libssl3"} }, "depends on libssl3, which is not locked for amd64"},
		{"excluded bad", func(l *Lock) { l.Packages[0].Excluded = []string{"a b"} }, `excluded: "a b" is not a Debian package name`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := Marshal(example())
			if err != nil {
				t.Fatal(err)
			}
			l, err := Unmarshal(data)
			if err != nil {
				t.Fatal(err)
			}
			tc.modify(l)
			err = l.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestUnmarshalErrors(t *testing.T) {
	good, err := Marshal(example())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, data, want string
	}{
		{"not json", "nope", "decoding lock: invalid character"},
		{"unknown field", strings.Replace(string(good), `"version": 1,`, `"version": 1, "mirror": "https://archive.invalid",`, 1), `decoding lock: json: unknown field "mirror"`},
		{"trailing data", string(good) + "{}", "decoding lock: data after the JSON object"},
		{"invalid", strings.Replace(string(good), `"version": 1,`, `"version": 7,`, 1), "version 7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Unmarshal([]byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Unmarshal error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	data, err := Marshal(example())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "packages.lock.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"amd64", "arm64"}, l.Architectures()); diff != "" {
		t.Errorf("Architectures (-want +got):\n%s", diff)
	}
	if err := l.CheckManifest([]byte("packages.yaml")); err != nil {
		t.Errorf("CheckManifest: %v", err)
	}
	if err := l.CheckManifest([]byte("other")); err == nil || !strings.Contains(err.Error(), "run distill lock again") {
		t.Errorf("CheckManifest of another manifest: %v", err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"version": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(bad); err == nil || !strings.HasPrefix(err.Error(), "lock "+bad+": manifest_sha256") {
		t.Errorf("Read of an invalid lock: %v", err)
	}
	if _, err := Read(filepath.Join(dir, "missing.json")); err == nil || !strings.HasPrefix(err.Error(), "reading lock: ") {
		t.Errorf("Read of a missing file: %v", err)
	}
}

func TestClosure(t *testing.T) {
	data, err := Marshal(example())
	if err != nil {
		t.Fatal(err)
	}
	l, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, arch string
		want       []string
		wantErr    string
	}{
		{name: "libc6", arch: "amd64", want: []string{"gcc-12-base:amd64", "libc6:amd64", "libgcc-s1:amd64"}},
		{name: "libssl3", arch: "arm64", want: []string{"libc6:arm64", "libssl3:arm64"}},
		{name: "tzdata", arch: "arm64", want: []string{"tzdata:arm64"}},
		{name: "libssl3", arch: "amd64", wantErr: "libssl3 is not locked for amd64"},
	}
	for _, tc := range tests {
		t.Run(tc.name+"_"+tc.arch, func(t *testing.T) {
			pkgs, err := l.Closure(tc.name, tc.arch)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Closure error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range pkgs {
				got = append(got, p.Key())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Closure (-want +got):\n%s", diff)
			}
		})
	}
}
