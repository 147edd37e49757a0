package deblayer

import (
	"archive/tar"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/internal/debtest"
)

func TestPatternMatch(t *testing.T) {
	tests := []struct {
		pattern string
		match   []string
		noMatch []string
	}{
		{
			pattern: "usr/lib/locale/C.utf8/**",
			match:   []string{"usr/lib/locale/C.utf8", "usr/lib/locale/C.utf8/LC_CTYPE", "usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES"},
			noMatch: []string{"usr", "usr/lib/locale", "usr/lib/locale/C.utf8x", "usr/lib/locale/C.UTF-8", "usr/lib/locale/C.utf"},
		},
		{
			// Without "**", a pattern still matches what is below it.
			pattern: "usr/share/locale",
			match:   []string{"usr/share/locale", "usr/share/locale/de/LC_MESSAGES/x.mo"},
			noMatch: []string{"usr/share", "usr/share/locales", "share/locale"},
		},
		{
			pattern: "usr/share/*/copyright",
			match:   []string{"usr/share/doc/copyright", "usr/share/x/copyright/below"},
			noMatch: []string{"usr/share/doc/pkg/copyright", "usr/share/copyright"},
		},
		{
			pattern: "**/*.so.*",
			match:   []string{"libc.so.6", "usr/lib/x86_64-linux-gnu/libz.so.1.2.13", "lib/libfoo.so.1/inside"},
			noMatch: []string{"usr/lib/libc.so", "usr/lib/x.a"},
		},
		{
			pattern: "usr/**/bin",
			match:   []string{"usr/bin", "usr/local/bin", "usr/a/b/c/bin/tool"},
			noMatch: []string{"bin", "usr/binary", "usr/sbin"},
		},
		{
			pattern: "etc/[a-c]?",
			match:   []string{"etc/ab", "etc/c1/x"},
			noMatch: []string{"etc/d1", "etc/a", "etc/abc"},
		},
		{
			pattern: `etc/\*`,
			match:   []string{"etc/*"},
			noMatch: []string{"etc/x"},
		},
		{
			pattern: "**",
			match:   []string{"a", "a/b/c"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			pat, err := compile(tc.pattern)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tc.match {
				if !pat.match(p) {
					t.Errorf("%q does not match %q, want a match", tc.pattern, p)
				}
			}
			for _, p := range tc.noMatch {
				if pat.match(p) {
					t.Errorf("%q matches %q, want none", tc.pattern, p)
				}
			}
		})
	}
}

func TestCheckPattern(t *testing.T) {
	tests := []struct {
		pattern, wantErr string
	}{
		{"", "empty pattern"},
		{"/usr/lib", `pattern "/usr/lib": patterns are layer paths, relative to the image root: drop the leading "/"`},
		{"./usr/lib", `drop the leading "./"`},
		{"usr/lib/", `pattern "usr/lib/": trailing slash`},
		{"usr//lib", `pattern "usr//lib": empty element`},
		{"usr/../etc", `pattern "usr/../etc": ".." element`},
		{"usr/./etc", `"." element`},
		{"usr/lib**", `pattern "usr/lib**": "**" must be a whole element (a/**/b), in "lib**"`},
		{"usr/[a-", `pattern "usr/[a-": element "[a-": syntax error in pattern`},
		{`usr/x\`, `syntax error in pattern`},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			err := CheckPattern(tc.pattern)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("CheckPattern(%q) = %v, want an error containing %q", tc.pattern, err, tc.wantErr)
			}
		})
	}
	for _, ok := range []string{"usr/lib/locale/C.utf8/**", "**", "**/x", "a/**/b", "*.so", "etc/[ab]"} {
		if err := CheckPattern(ok); err != nil {
			t.Errorf("CheckPattern(%q) = %v, want nil", ok, err)
		}
	}
}

// libcBin looks like libc-bin: the C.utf8 locale among other files, parent
// directories with their own modes, and hardlinks across what filters keep.
var libcBin = []debtest.Entry{
	debtest.Dir("./", 0o755),
	debtest.Dir("./etc/", 0o755),
	debtest.File("./etc/ld.so.conf", 0o644, "include /etc/ld.so.conf.d/*.conf\n"),
	debtest.Dir("./sbin/", 0o755),
	debtest.File("./sbin/ldconfig", 0o755, "ELF ldconfig"),
	debtest.Dir("./usr/", 0o755),
	debtest.Dir("./usr/bin/", 0o755),
	debtest.File("./usr/bin/locale", 0o755, "ELF locale"),
	debtest.Dir("./usr/lib/", 0o755),
	debtest.Dir("./usr/lib/locale/", 0o700), // an unusual mode, to see it kept
	debtest.Dir("./usr/lib/locale/C.utf8/", 0o755),
	debtest.File("./usr/lib/locale/C.utf8/LC_CTYPE", 0o644, "ctype"),
	debtest.Dir("./usr/lib/locale/C.utf8/LC_MESSAGES/", 0o755),
	debtest.File("./usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES", 0o644, "messages"),
	debtest.Hardlink("./usr/lib/locale/C.utf8/LC_ALIAS", "./usr/bin/locale"), // to a file filtered out
	debtest.Hardlink("./usr/lib/locale/C.utf8/LC_ALIAS2", "./usr/bin/locale"),
	debtest.Hardlink("./usr/bin/locale-again", "./usr/lib/locale/C.utf8/LC_CTYPE"), // filtered out
	debtest.Dir("./usr/share/", 0o755),
	debtest.Dir("./usr/share/doc/", 0o755),
	debtest.Dir("./usr/share/doc/hello/", 0o755),
	debtest.File("./usr/share/doc/hello/changelog.gz", 0o644, "changes"),
	debtest.File("./usr/share/doc/hello/copyright", 0o644, "license\n"),
	debtest.Dir("./usr/share/i18n/", 0o755),
	debtest.Dir("./usr/share/i18n/charmaps/", 0o755), // an empty directory outside
	debtest.Dir("./usr/share/locale/", 0o755),
	debtest.Dir("./usr/share/locale/de/", 0o755),
	debtest.File("./usr/share/locale/de/libc.mo", 0o644, "de"),
}

func TestWriteFilters(t *testing.T) {
	status := status("")
	tests := []struct {
		name      string
		include   []string
		exclude   []string
		keepDocs  bool
		mergedUsr bool
		want      []entry
	}{
		{
			name:    "the C.utf8 locale",
			include: []string{"usr/lib/locale/C.utf8/**"},
			want: concat([]entry{
				dir("usr/", 0o755),
				dir("usr/lib/", 0o755),
				dir("usr/lib/locale/", 0o700),
				dir("usr/lib/locale/C.utf8/", 0o755),
				file("usr/lib/locale/C.utf8/LC_CTYPE", 0o644, "ctype"),
				dir("usr/lib/locale/C.utf8/LC_MESSAGES/", 0o755),
				file("usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES", 0o644, "messages"),
				file("usr/lib/locale/C.utf8/LC_ALIAS", 0o755, "ELF locale"),
				hardlink("usr/lib/locale/C.utf8/LC_ALIAS2", "usr/lib/locale/C.utf8/LC_ALIAS", 0o755),
			}, status),
		},
		{
			name:    "the locale and its copyright, like distroless",
			include: []string{"usr/lib/locale/C.utf8", "usr/share/doc/hello/copyright"},
			want: concat([]entry{
				dir("usr/", 0o755),
				dir("usr/lib/", 0o755),
				dir("usr/lib/locale/", 0o700),
				dir("usr/lib/locale/C.utf8/", 0o755),
				file("usr/lib/locale/C.utf8/LC_CTYPE", 0o644, "ctype"),
				dir("usr/lib/locale/C.utf8/LC_MESSAGES/", 0o755),
				file("usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES", 0o644, "messages"),
				file("usr/lib/locale/C.utf8/LC_ALIAS", 0o755, "ELF locale"),
				hardlink("usr/lib/locale/C.utf8/LC_ALIAS2", "usr/lib/locale/C.utf8/LC_ALIAS", 0o755),
				dir("usr/share/", 0o755),
				dir("usr/share/doc/", 0o755),
				dir("usr/share/doc/hello/", 0o755),
				file("usr/share/doc/hello/copyright", 0o644, "license\n"),
			}, status),
		},
		{
			name:    "exclude wins",
			include: []string{"usr/lib/locale/C.utf8"},
			exclude: []string{"**/LC_MESSAGES", "usr/lib/locale/C.utf8/LC_ALIAS"},
			want: concat([]entry{
				dir("usr/", 0o755),
				dir("usr/lib/", 0o755),
				dir("usr/lib/locale/", 0o700),
				dir("usr/lib/locale/C.utf8/", 0o755),
				file("usr/lib/locale/C.utf8/LC_CTYPE", 0o644, "ctype"),
				// LC_ALIAS2 becomes the file: LC_ALIAS and usr/bin/locale are out.
				file("usr/lib/locale/C.utf8/LC_ALIAS2", 0o755, "ELF locale"),
			}, status),
		},
		{
			name:    "exclude only",
			exclude: []string{"usr/share/locale", "usr/bin/*", "etc"},
			want: concat([]entry{
				dir("sbin/", 0o755),
				file("sbin/ldconfig", 0o755, "ELF ldconfig"),
				dir("usr/", 0o755),
				dir("usr/bin/", 0o755),
				dir("usr/lib/", 0o755),
				dir("usr/lib/locale/", 0o700),
				dir("usr/lib/locale/C.utf8/", 0o755),
				file("usr/lib/locale/C.utf8/LC_CTYPE", 0o644, "ctype"),
				dir("usr/lib/locale/C.utf8/LC_MESSAGES/", 0o755),
				file("usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES", 0o644, "messages"),
				file("usr/lib/locale/C.utf8/LC_ALIAS", 0o755, "ELF locale"),
				hardlink("usr/lib/locale/C.utf8/LC_ALIAS2", "usr/lib/locale/C.utf8/LC_ALIAS", 0o755),
				dir("usr/share/", 0o755),
				dir("usr/share/doc/", 0o755),
				dir("usr/share/doc/hello/", 0o755),
				file("usr/share/doc/hello/copyright", 0o644, "license\n"),
				dir("usr/share/i18n/", 0o755),
				dir("usr/share/i18n/charmaps/", 0o755),
			}, status),
		},
		{
			name:     "include docs needs --keep-docs for more than the copyright",
			include:  []string{"usr/share/doc"},
			keepDocs: true,
			want: concat([]entry{
				dir("usr/", 0o755),
				dir("usr/share/", 0o755),
				dir("usr/share/doc/", 0o755),
				dir("usr/share/doc/hello/", 0o755),
				file("usr/share/doc/hello/changelog.gz", 0o644, "changes"),
				file("usr/share/doc/hello/copyright", 0o644, "license\n"),
			}, status),
		},
		{
			name:      "patterns see merged-usr paths",
			include:   []string{"usr/sbin"},
			mergedUsr: true,
			want: concat([]entry{
				dir("usr/", 0o755),
				dir("usr/sbin/", 0o755),
				file("usr/sbin/ldconfig", 0o755, "ELF ldconfig"),
			}, status),
		},
		{
			name:    "nothing matches",
			include: []string{"opt"},
			want:    status,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := gzipOpts()
			opts.Include, opts.Exclude, opts.KeepDocs, opts.MergedUsr = tc.include, tc.exclude, tc.keepDocs, tc.mergedUsr
			blob, desc, _, err := convert(t, debtest.Package{Data: libcBin}.Build(t), opts)
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			if diff := cmp.Diff(tc.want, readLayer(t, blob, desc.MediaType)); diff != "" {
				t.Errorf("layer entries (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteFilterErrors(t *testing.T) {
	tests := []struct {
		name             string
		data             []debtest.Entry
		include, exclude []string
		wantErr          string
	}{
		{name: "bad include", include: []string{"/usr"}, wantErr: `hello: include: pattern "/usr": patterns are layer paths`},
		{name: "bad exclude", exclude: []string{"a/[b"}, wantErr: `hello: exclude: pattern "a/[b": element "[b": syntax error in pattern`},
		{
			// A directory outside the patterns still clashes with what
			// comes to the same path.
			name:    "pending directory twice differently",
			data:    []debtest.Entry{debtest.Dir("./usr/", 0o755), debtest.Dir("./usr", 0o700), debtest.File("./usr/x", 0o644, "x")},
			include: []string{"usr/x"},
			wantErr: `hello: entry "./usr": goes to "usr", as entry "./usr/" does (dir mode 0755 owner 0:0, now dir mode 0700 owner 0:0)`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data
			if data == nil {
				data = libcBin
			}
			opts := gzipOpts()
			opts.Include, opts.Exclude = tc.include, tc.exclude
			_, _, _, err := convert(t, debtest.Package{Data: data}.Build(t), opts)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Write error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestRealLocale takes the C.utf8 locale out of the real libc-bin package,
// as the java image does. It downloads the package with apt-get: set
// DISTILL_TEST_REAL_DEBS=1 to run it.
func TestRealLocale(t *testing.T) {
	if os.Getenv("DISTILL_TEST_REAL_DEBS") != "1" {
		t.Skip("downloads libc-bin with apt-get: set DISTILL_TEST_REAL_DEBS=1 to run it")
	}
	dir := t.TempDir()
	cmd := exec.Command("apt-get", "download", "libc-bin")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("apt-get download: %v\n%s", err, out)
	}
	matches, err := filepath.Glob(filepath.Join(dir, "libc-bin_*.deb"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("downloaded libc-bin: %q, %v", matches, err)
	}
	b, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	opts := gzipOpts()
	opts.Include = []string{"usr/lib/locale/C.utf8/**", "usr/share/doc/libc-bin/copyright"}
	blob, desc, _, err := convert(t, b, opts)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range readLayer(t, blob, desc.MediaType) {
		switch {
		case strings.HasPrefix(e.Name, "usr/lib/locale/C.utf8/"):
			if e.Type == tar.TypeReg || e.Type == tar.TypeLink {
				files = append(files, strings.TrimPrefix(e.Name, "usr/lib/locale/C.utf8/"))
			}
		case e.Type == tar.TypeDir && strings.HasPrefix("usr/lib/locale/C.utf8/", e.Name),
			e.Type == tar.TypeDir && strings.HasPrefix("usr/share/doc/libc-bin/", e.Name),
			e.Name == "usr/share/doc/libc-bin/copyright",
			strings.HasPrefix(e.Name, "var/lib/dpkg/status.d/") || strings.HasPrefix("var/lib/dpkg/status.d/", e.Name):
		default:
			t.Errorf("unexpected entry %q", e.Name)
		}
	}
	// The locale's categories, as glibc's localedef writes them.
	for _, want := range []string{"LC_CTYPE", "LC_COLLATE", "LC_NUMERIC", "LC_TIME", "LC_MESSAGES/SYS_LC_MESSAGES"} {
		if !slices.Contains(files, want) {
			t.Errorf("no usr/lib/locale/C.utf8/%s in %q", want, files)
		}
	}
	t.Logf("%s: %d locale files, layer %s (%d bytes)", filepath.Base(matches[0]), len(files), desc.Digest, desc.Size)
}
