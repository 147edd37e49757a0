package atomicfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// names lists the entries of dir, hidden temporary ones included.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	return got
}

func TestWriteFileModeIgnoresUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	p := filepath.Join(dir, "out.json")
	if err := WriteFile(p, []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o644 {
		t.Errorf("mode = %o, want 644", got)
	}
	if diff := cmp.Diff([]string{"out.json"}, names(t, dir)); diff != "" {
		t.Errorf("directory (-want +got):\n%s", diff)
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "blob"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("partial"); err != nil {
		t.Fatal(err)
	}
	f.Abort()
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("after Abort, directory holds %q", got)
	}
}

func TestDir(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string)
		wantErr bool
	}{
		{name: "absent"},
		{name: "empty", prepare: func(t *testing.T, p string) {
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "not empty", wantErr: true, prepare: func(t *testing.T, p string) {
			if err := os.MkdirAll(filepath.Join(p, "stale"), 0o755); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			p := filepath.Join(parent, "layout")
			if tc.prepare != nil {
				tc.prepare(t, p)
			}
			d, err := CreateDir(p)
			if tc.wantErr {
				if err == nil {
					d.Abort()
					t.Fatal("CreateDir succeeded, want error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d.Temp(), "index.json"), []byte("{}"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := Commit(d); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"layout"}, names(t, parent)); diff != "" {
				t.Errorf("parent (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"index.json"}, names(t, p)); diff != "" {
				t.Errorf("layout (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCommitAllOrNone(t *testing.T) {
	dir := t.TempDir()
	first, err := Bytes(filepath.Join(dir, "blob"), []byte("data"))
	if err != nil {
		t.Fatal(err)
	}
	// A non-empty directory where the second output goes makes its rename fail.
	blocked := filepath.Join(dir, "desc.json")
	if err := os.MkdirAll(filepath.Join(blocked, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	second, err := Bytes(blocked, []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Commit(first, second); err == nil {
		t.Fatal("Commit succeeded, want error")
	}
	if diff := cmp.Diff([]string{"desc.json"}, names(t, dir)); diff != "" {
		t.Errorf("directory after failed Commit (-want +got):\n%s", diff)
	}
}
