package manifest

import (
	"strings"
	"testing"
)

// FuzzParse: any packages.yaml either parses into names that are safe
// to use as path elements and Bazel names, or fails with one line
// "packages.yaml...: what"; aliases cannot blow up.
func FuzzParse(f *testing.F) {
	f.Add([]byte(full))
	f.Add([]byte("version: 1\narchives: [{name: debian, suites: [trixie]}]\narchitectures: [amd64]\npackages: [libc6]\ndefault_exclusions: false\nexclude: [bash]\n"))
	f.Add([]byte("version: 1\narchives:\n  - &a {name: d, suites: [s]}\n  - *a\narchitectures: [amd64]\npackages: [a1]\n"))
	f.Add([]byte("a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("packages.yaml", data)
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, "packages.yaml") {
				t.Errorf("error %q: not one line starting with the file name", msg)
			}
			return
		}
		if len(m.Archives) == 0 || len(m.Architectures) == 0 {
			t.Fatalf("manifest without archives or architectures: %+v", m)
		}
		for _, a := range m.Archives {
			if !archiveName.MatchString(a.Name) || len(a.Suites) == 0 {
				t.Fatalf("archive %+v", a)
			}
			for _, s := range append(append([]string(nil), a.Suites...), a.Components...) {
				if !pathElement.MatchString(s) {
					t.Fatalf("archive %s: suite or component %q is not a path element", a.Name, s)
				}
			}
		}
		for _, arch := range m.Architectures {
			if !archName.MatchString(arch) {
				t.Fatalf("architecture %q", arch)
			}
			for _, r := range m.Requests(arch) {
				if !packageName.MatchString(r) {
					t.Fatalf("request %q for %s", r, arch)
				}
			}
		}
	})
}
