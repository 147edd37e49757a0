package lock

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzUnmarshal: a lock that decodes and validates encodes canonically
// (Marshal of it decodes to the same lock and encodes to the same bytes),
// every closure it holds is made of locked packages, and errors are one
// line.
func FuzzUnmarshal(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "example.lock.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"version":1,"manifest_sha256":"` + strings.Repeat("a", 64) + `","archives":{"debian":{"bookworm":{"date":"d"}}},"packages":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Unmarshal(data)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		enc, err := Marshal(l)
		if err != nil {
			t.Fatalf("Marshal of a valid lock: %v", err)
		}
		again, err := Unmarshal(enc)
		if err != nil {
			t.Fatalf("Unmarshal of Marshal's output: %v\n%s", err, enc)
		}
		if l.Packages == nil {
			l.Packages = []Package{} // no "packages" key: Marshal writes []
		}
		if diff := cmp.Diff(l, again); diff != "" {
			t.Fatalf("lock changed through Marshal (-want +got):\n%s", diff)
		}
		enc2, err := Marshal(again)
		if err != nil || string(enc2) != string(enc) {
			t.Fatalf("Marshal is not canonical: %v\n%s\n%s", err, enc, enc2)
		}
		for _, p := range l.Packages {
			c, err := l.Closure(p.Name, p.ForArchitecture)
			if err != nil {
				t.Fatalf("Closure(%s) of a valid lock: %v", p.Key(), err)
			}
			for _, q := range c {
				if _, ok := l.Find(q.Name, p.ForArchitecture); !ok {
					t.Fatalf("Closure(%s) holds %s, which is not locked", p.Key(), q.Key())
				}
			}
		}
	})
}
