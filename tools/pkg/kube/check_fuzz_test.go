package kube

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCheck: any manifest is checked or refused with an error; findings
// name a field and a problem, each on one line.
func FuzzCheck(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "hello.yaml")); err == nil {
		f.Add(b)
	}
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i}]\n---\napiVersion: v1\nkind: Service\nspec: {selector: {app: x}}\n"))
	f.Add([]byte("a: &a [x, x]\nb: [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, manifest []byte) {
		findings, err := Check(manifest)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		for _, fd := range findings {
			if s := fd.String(); s == "" || strings.ContainsAny(s, "\n\r") {
				t.Errorf("finding %q: empty or more than one line", s)
			}
		}
	})
}
