package apt

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadAptSources(t *testing.T) {
	got, err := ReadAptSources("testdata/apt")
	if err != nil {
		t.Fatal(err)
	}
	want := Mirrors{
		// sources.list first, then sources.list.d/* by name; duplicates once.
		"debian":          {"http://mirror.test/debian", "http://mirror2.test/debian", "http://mirror3.test/debian"},
		"debian-security": {"http://security.mirror.test/debian-security", "http://archive.mirror.test/debian-security"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadAptSources (-want +got):\n%s", diff)
	}
}

func TestReadAptSourcesMissing(t *testing.T) {
	got, err := ReadAptSources(filepath.Join(t.TempDir(), "no-apt-here"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Mirrors{}, got); diff != "" {
		t.Errorf("ReadAptSources (-want +got):\n%s", diff)
	}
}

func TestReadAptSourcesErrors(t *testing.T) {
	tests := []struct {
		name, file, content, wantErr string
	}{
		{name: "unknown type", file: "sources.list", content: "rpm http://mirror.test/debian bookworm main\n", wantErr: `DIR/sources.list:1: unknown type "rpm": want deb or deb-src`},
		{name: "no suite", file: "sources.list", content: "\n\ndeb http://mirror.test/debian\n", wantErr: "DIR/sources.list:3: want TYPE [OPTIONS] URI SUITE [COMPONENT...]"},
		{name: "open options", file: "sources.list", content: "deb [arch=amd64 http://mirror.test/debian bookworm main\n", wantErr: "DIR/sources.list:1: options without a closing ]"},
		{name: "bad option", file: "sources.list", content: "deb [trusted] http://mirror.test/debian bookworm main\n", wantErr: `DIR/sources.list:1: option "trusted": want key=value`},
		{name: "no URIs", file: "sources.list.d/a.sources", content: "Types: deb\nSuites: bookworm\n\n", wantErr: "DIR/sources.list.d/a.sources:1: an apt source needs Types, URIs and Suites"},
		{name: "not a field", file: "sources.list.d/a.sources", content: "Types: deb\nURIs http://mirror.test/debian\n", wantErr: `DIR/sources.list.d/a.sources:2: want "Field: value", got "URIs http://mirror.test/debian"`},
		{name: "stray continuation", file: "sources.list.d/a.sources", content: "# comment\n continued\n", wantErr: "DIR/sources.list.d/a.sources:2: continuation line outside a field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "sources.list.d"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadAptSources(dir)
			want := filepath.Join(dir) + tc.wantErr[len("DIR"):]
			if err == nil || err.Error() != want {
				t.Fatalf("ReadAptSources error:\n got %v\nwant %s", err, want)
			}
		})
	}
}

func TestParseOneLineSources(t *testing.T) {
	got, err := ParseOneLineSources("sources.list", []byte(`# comment
deb [ arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg ] http://mirror.test/debian bookworm main contrib # comment
deb-src [arch=amd64] http://mirror.test/debian bookworm main
deb http://mirror.test/flat ./
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []SourceEntry{
		{
			File: "sources.list", Line: 2, Enabled: true, Types: []string{"deb"},
			URIs: []string{"http://mirror.test/debian"}, Suites: []string{"bookworm"}, Components: []string{"main", "contrib"},
			Options: map[string]string{"arch": "amd64,arm64", "signed-by": "/usr/share/keyrings/debian-archive-keyring.gpg"},
		},
		{
			File: "sources.list", Line: 3, Enabled: true, Types: []string{"deb-src"},
			URIs: []string{"http://mirror.test/debian"}, Suites: []string{"bookworm"}, Components: []string{"main"},
			Options: map[string]string{"arch": "amd64"},
		},
		{
			File: "sources.list", Line: 4, Enabled: true, Types: []string{"deb"},
			URIs: []string{"http://mirror.test/flat"}, Suites: []string{"./"}, Components: []string{},
			Options: map[string]string{},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseOneLineSources (-want +got):\n%s", diff)
	}
}

func TestParseDeb822Sources(t *testing.T) {
	got, err := ParseDeb822Sources("debian.sources", []byte(`# comment

types: deb deb-src
URIs: http://mirror.test/debian
  http://mirror2.test/debian
Suites: bookworm bookworm-updates
# comment
Components: main
Enabled: no
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 -----END PGP PUBLIC KEY BLOCK-----


Types: deb
URIs: http://security.mirror.test/debian-security
Suites: bookworm-security
Components: main
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []SourceEntry{
		{
			File: "debian.sources", Line: 3, Enabled: false, Types: []string{"deb", "deb-src"},
			URIs:   []string{"http://mirror.test/debian", "http://mirror2.test/debian"},
			Suites: []string{"bookworm", "bookworm-updates"}, Components: []string{"main"},
			Options: map[string]string{"signed-by": "\n-----BEGIN PGP PUBLIC KEY BLOCK-----\n.\n-----END PGP PUBLIC KEY BLOCK-----"},
		},
		{
			File: "debian.sources", Line: 16, Enabled: true, Types: []string{"deb"},
			URIs: []string{"http://security.mirror.test/debian-security"}, Suites: []string{"bookworm-security"}, Components: []string{"main"},
			Options: map[string]string{},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseDeb822Sources (-want +got):\n%s", diff)
	}
}

func TestDebianArchive(t *testing.T) {
	tests := []struct{ suite, base, want string }{
		{"bookworm", "http://mirror.test/debian", "debian"},
		{"bookworm-updates", "http://mirror.test/debian", "debian"},
		{"bookworm-backports", "http://mirror.test/debian", "debian"},
		{"bookworm-proposed-updates", "http://mirror.test/debian", "debian"},
		{"bullseye-backports-sloppy", "http://mirror.test/debian", "debian"},
		{"trixie", "http://mirror.test/", "debian"},
		{"sid", "http://mirror.test/debian", "debian"},
		{"bookworm-security", "http://mirror.test/debian-security", "debian-security"},
		{"buster/updates", "http://mirror.test/debian-security", "debian-security"},
		{"stable", "http://mirror.test/debian", "debian"},
		{"stable-security", "http://mirror.test/debian-security", "debian-security"},
		{"stable", "http://mirror.test/linux/browser/deb", ""},
		{"nodistro", "http://mirror.test/debian", ""},
		{"jammy", "http://mirror.test/ubuntu", ""},
		{"bookworm-pgdg", "http://mirror.test/pub/repos/apt", ""},
		{"bookworm-debug", "http://mirror.test/debian-debug", ""},
		{"./", "http://mirror.test/debian", ""},
	}
	for _, tc := range tests {
		if got := DebianArchive(tc.suite, tc.base); got != tc.want {
			t.Errorf("DebianArchive(%q, %q) = %q, want %q", tc.suite, tc.base, got, tc.want)
		}
	}
}
