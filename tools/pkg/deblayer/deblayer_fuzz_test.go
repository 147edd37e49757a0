package deblayer_test

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"path"
	"strings"
	"testing"

	"github.com/rules-distill/rules_distill/tools/internal/debtest"
	"github.com/rules-distill/rules_distill/tools/pkg/deb"
	"github.com/rules-distill/rules_distill/tools/pkg/deblayer"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
)

// errTooBig stops a layer that a small input decompresses into: not a
// bug, only slow to fuzz.
var errTooBig = errors.New("layer larger than the fuzzing budget")

type budgetWriter struct {
	bytes.Buffer
	left int
}

func (w *budgetWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		return 0, errTooBig
	}
	w.left -= len(p)
	return w.Buffer.Write(p)
}

// FuzzWrite: whatever package comes in, the layer that comes out (if
// any) holds only paths inside the image root, each once, parents before
// children, symlinks that stay inside the root, hardlinks to earlier
// files, no devices; its descriptor matches its bytes; errors are one line.
func FuzzWrite(f *testing.F) {
	entries := []debtest.Entry{
		debtest.Dir("./", 0o755),
		debtest.Dir("./bin/", 0o755),
		debtest.File("./bin/hello", 0o4755, "#!hello\n"),
		debtest.Hardlink("./bin/hey", "./bin/hello"),
		debtest.Dir("./usr/share/doc/hello/", 0o755),
		debtest.File("./usr/share/doc/hello/changelog.gz", 0o644, "changes"),
		debtest.Hardlink("./usr/lib/x", "./usr/share/doc/hello/changelog.gz"),
		debtest.Symlink("./usr/bin/hi", "../../bin/hello"),
		debtest.Symlink("./lib64", "usr/lib"),
	}
	for _, c := range debtest.Compressions {
		f.Add(debtest.Package{Data: entries, DataCompression: c}.Build(f), false, false)
		f.Add(debtest.Package{Data: entries, DataCompression: c}.Build(f), true, true)
	}
	for _, bad := range []debtest.Entry{
		debtest.File("../escape", 0o644, "x"),
		debtest.File("/abs", 0o644, "x"),
		debtest.Symlink("./usr/up", "../../../etc/passwd"),
		debtest.Hardlink("./usr/h", "../etc/passwd"),
		debtest.Special("./dev/null", tar.TypeChar),
	} {
		f.Add(debtest.Package{Data: []debtest.Entry{bad}}.Build(f), false, false)
	}
	f.Fuzz(func(t *testing.T, data []byte, mergedUsr, keepDocs bool) {
		d, err := deb.Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return // FuzzOpen's business
		}
		out := &budgetWriter{left: 64 << 20}
		desc, err := deblayer.Write(out, d, deblayer.Options{
			Layer:     layer.Options{Compression: layer.None},
			MergedUsr: mergedUsr,
			KeepDocs:  keepDocs,
		})
		if errors.Is(err, errTooBig) {
			return
		}
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		sum := sha256.Sum256(out.Bytes())
		if desc.Size != int64(out.Len()) || desc.Digest.Hex != hex.EncodeToString(sum[:]) || desc.DiffID != desc.Digest {
			t.Fatalf("descriptor %+v does not match the %d bytes written (sha256 %x)", desc, out.Len(), sum)
		}
		checkLayer(t, out.Bytes())
	})
}

// checkLayer checks the invariants of a layer tar.
func checkLayer(t *testing.T, blob []byte) {
	t.Helper()
	seen := map[string]byte{} // path → tar type
	tr := tar.NewReader(bytes.NewReader(blob))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("the layer does not read back: %v", err)
		}
		name := strings.TrimSuffix(h.Name, "/")
		if name == "" || name != path.Clean(name) || path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			t.Fatalf("entry %q: not a clean path inside the root", h.Name)
		}
		if _, dup := seen[name]; dup {
			t.Fatalf("entry %q: twice in the layer", h.Name)
		}
		if dir := path.Dir(name); dir != "." && seen[dir] != tar.TypeDir {
			t.Fatalf("entry %q: parent %q is not an earlier directory", h.Name, dir)
		}
		switch h.Typeflag {
		case tar.TypeDir, tar.TypeReg:
		case tar.TypeSymlink:
			// Lexically, from the link's directory (from the root for
			// an absolute target), no ".." may climb above the root.
			depth := 0
			if !path.IsAbs(h.Linkname) {
				depth = strings.Count(name, "/")
			}
			for _, e := range strings.Split(h.Linkname, "/") {
				switch e {
				case "", ".":
				case "..":
					depth--
				default:
					depth++
				}
				if depth < 0 {
					t.Fatalf("symlink %q → %q climbs above the root", name, h.Linkname)
				}
			}
		case tar.TypeLink:
			if seen[h.Linkname] != tar.TypeReg {
				t.Fatalf("hardlink %q → %q: not an earlier regular file", name, h.Linkname)
			}
		default:
			t.Fatalf("entry %q: tar type %q in a layer", h.Name, h.Typeflag)
		}
		seen[name] = h.Typeflag
	}
}
