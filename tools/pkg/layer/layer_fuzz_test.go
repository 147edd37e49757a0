package layer

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadEntries reads an arbitrary ENTRIES.json (whose "src" values
// name files of a temporary directory: "a" and "b" differ, "c" is a copy
// of "a") and writes its layer: a refused list is one line and writes
// nothing; an accepted one gives a layer of clean paths, each once, after
// their parent directories, with the descriptor of its bytes.
func FuzzReadEntries(f *testing.F) {
	f.Add(`{"entries":[{"path":"app/a","kind":"file","src":"a"},{"path":"app","kind":"dir","mode":448,"uid":1,"gid":2},{"path":"usr/bin/a","kind":"symlink","target":"/app/a"}]}`)
	f.Add(`{"entries":[{"path":"app/x","kind":"file","src":"a"},{"path":"app/x","kind":"file","src":"b"}]}`)
	f.Add(`{"entries":[{"path":"app/x","kind":"file","src":"a"},{"path":"app/x","kind":"file","src":"c"}]}`)
	f.Add(`{"entries":[{"path":"../etc/passwd","kind":"file","src":"a"},{"path":"/abs","kind":"dir"}]}`)
	f.Add(`{"entries":[{"path":"a","kind":"file","src":"a","mode":-1},{"path":"a/b","kind":"dir"}]}`)
	f.Fuzz(func(t *testing.T, entriesJSON string) {
		dir := t.TempDir()
		for name, content := range map[string]string{"a": "alpha\n", "b": "beta\n", "c": "alpha\n"} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// src values are relative to dir; anything else stays as given,
		// so the fuzzer cannot reach files outside dir but "a", "b", "c".
		file := filepath.Join(dir, "ENTRIES.json")
		if err := os.WriteFile(file, []byte(entriesJSON), 0o644); err != nil {
			t.Fatal(err)
		}
		entries, err := ReadEntries(file)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		for i := range entries {
			switch entries[i].Src {
			case "a", "b", "c":
				entries[i].Src = filepath.Join(dir, entries[i].Src)
			case "":
			default:
				entries[i].Src = filepath.Join(dir, "missing")
			}
		}
		var out bytes.Buffer
		desc, err := Write(&out, entries, Options{Compression: None})
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		if desc.Size != int64(out.Len()) || desc.DiffID != desc.Digest {
			t.Fatalf("descriptor %+v for %d bytes", desc, out.Len())
		}
		seen := map[string]byte{}
		tr := tar.NewReader(&out)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("the layer does not read back: %v", err)
			}
			name := strings.TrimSuffix(h.Name, "/")
			if name == "" || name != path.Clean(name) || path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
				t.Fatalf("entry %q: not a clean path inside the root", h.Name)
			}
			if _, dup := seen[name]; dup {
				t.Fatalf("entry %q twice", name)
			}
			if d := path.Dir(name); d != "." && seen[d] != tar.TypeDir {
				t.Fatalf("entry %q before its parent directory", name)
			}
			seen[name] = h.Typeflag
		}
	})
}
