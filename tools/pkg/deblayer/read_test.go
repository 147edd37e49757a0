package deblayer

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/internal/debtest"
)

// TestRead: Options.Read gets the content of the files it names, kept in
// the layer or dropped (documentation, Exclude), and the layer does not
// change.
func TestRead(t *testing.T) {
	pkg := debtest.Package{Data: []debtest.Entry{
		debtest.Dir("./usr/", 0o755),
		debtest.File("./usr/lib/os-release", 0o644, "ID=debian\n"),
		debtest.File("./usr/share/doc/hello/copyright", 0o644, "license\n"),
		debtest.File("./usr/share/doc/hello/changelog", 0o644, "changes\n"),
		debtest.File("./usr/share/doc/hello/empty", 0o644, ""),
		debtest.File("./usr/bin/hello", 0o755, "#!hello\n"),
	}}.Build(t)
	tests := []struct {
		name    string
		exclude []string
		want    map[string]string
	}{
		{"kept and dropped files", nil, map[string]string{
			"usr/lib/os-release":            "ID=debian\n",
			"usr/share/doc/hello/copyright": "license\n",
			"usr/share/doc/hello/changelog": "changes\n",
			"usr/share/doc/hello/empty":     "",
		}},
		{"excluded files", []string{"usr/share/**", "usr/lib/**"}, map[string]string{
			"usr/lib/os-release":            "ID=debian\n",
			"usr/share/doc/hello/copyright": "license\n",
			"usr/share/doc/hello/changelog": "changes\n",
			"usr/share/doc/hello/empty":     "",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := gzipOpts()
			opts.Exclude = tt.exclude
			plain, _, _, err := convert(t, pkg, opts)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			opts.Read = map[string]func([]byte){}
			for name := range tt.want {
				opts.Read[name] = func(b []byte) { got[name] = string(b) }
			}
			blob, _, _, err := convert(t, pkg, opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Read mismatch (-want +got):\n%s", diff)
			}
			if string(plain) != string(blob) {
				t.Error("Read changed the layer bytes")
			}
		})
	}
}
