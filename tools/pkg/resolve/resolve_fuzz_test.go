package resolve

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"pault.ag/go/debian/control"
)

// FuzzResolve resolves requests against an arbitrary Packages index for
// amd64. Resolve must end (dependency cycles are legal in Debian and
// resolve like anything else), errors are one line, and a closure is
// closed: sorted, one package per name, every dependency it names inside.
func FuzzResolve(f *testing.F) {
	dirs, _ := filepath.Glob("testdata/[0-9]*")
	for _, dir := range dirs {
		text, err := os.ReadFile(filepath.Join(dir, "Packages"))
		if err != nil {
			continue
		}
		f.Add(text, "libc6 app python3 base-files")
	}
	f.Add([]byte("Package: a\nVersion: 1\nArchitecture: amd64\nDepends: b\n\nPackage: b\nVersion: 1\nArchitecture: all\nPre-Depends: a (>= 1) | c, c:any\n\nPackage: c\nVersion: 2\nArchitecture: amd64\nProvides: d (= 1)\nDepends: d, a\n"), "a d")
	f.Fuzz(func(t *testing.T, text []byte, requests string) {
		dec, err := control.NewDecoder(bytes.NewReader(text), nil)
		if err != nil {
			return
		}
		var cands []Candidate
		for len(cands) < 200 {
			var c Candidate
			if err := dec.Decode(&c.BinaryIndex); err != nil {
				break
			}
			if !fuzzPackageName.MatchString(c.Package) {
				continue // apt refuses the paragraph (checkParagraph)
			}
			c.Archive, c.Suite, c.Component = "debian", "bookworm", "main"
			cands = append(cands, c)
		}
		in := Input{
			Architecture: "amd64",
			Candidates:   cands,
			Requests:     strings.Fields(requests),
			Exclude:      []string{"dpkg"},
			Origins:      []Origin{{"debian", "bookworm"}},
		}
		type result struct {
			pkgs []Package
			err  error
		}
		done := make(chan result, 1)
		go func() {
			var r result
			defer func() {
				if p := recover(); p != nil {
					r.err = errors.New("panic")
					done <- r
					panic(p)
				}
			}()
			r.pkgs, r.err = Resolve(in)
			done <- r
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Resolve of %d candidates, requests %q: no answer after 10 s", len(cands), in.Requests)
		}
		if r.err != nil {
			if strings.ContainsAny(r.err.Error(), "\n\r") {
				t.Errorf("error spans lines: %q", r.err)
			}
			return
		}
		names := map[string]bool{}
		for i, p := range r.pkgs {
			if i > 0 && r.pkgs[i-1].Name() >= p.Name() {
				t.Fatalf("closure not sorted or with %q twice", p.Name())
			}
			names[p.Name()] = true
		}
		for _, p := range r.pkgs {
			if !slices.IsSorted(p.Depends) {
				t.Errorf("%s: Depends %q not sorted", p.Name(), p.Depends)
			}
			for _, d := range p.Depends {
				if !names[d] {
					t.Errorf("%s depends on %s, which is not in the closure", p.Name(), d)
				}
			}
		}
	})
}

// fuzzPackageName is what apt (checkParagraph) accepts as a package name:
// Debian Policy 5.6.1. A name with a line break in it never gets here.
var fuzzPackageName = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)
