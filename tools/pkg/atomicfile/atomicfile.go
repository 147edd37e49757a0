package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Output is a file or directory written under a temporary name until Commit.
type Output interface {
	// Path returns the final path of the output.
	Path() string
	// Commit renames the output into place.
	Commit() error
	// Abort removes the temporary output; it does nothing after Commit.
	Abort()
}

// File is a regular file being written next to its final path.
// Its mode is 0644 once committed, whatever the umask.
type File struct {
	*os.File
	path      string
	committed bool
}

// Create starts writing path under a temporary name in the same directory.
func Create(path string) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("creating temporary file for %s: %w", path, err)
	}
	return &File{File: f, path: path}, nil
}

// Bytes creates a not yet committed File that holds data.
func Bytes(path string, data []byte) (*File, error) {
	f, err := Create(path)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return f, nil
}

// WriteFile writes data to path atomically.
func WriteFile(path string, data []byte) error {
	f, err := Bytes(path, data)
	if err != nil {
		return err
	}
	return Commit(f)
}

// Path returns the final path of f.
func (f *File) Path() string { return f.path }

// Commit closes f, sets its mode to 0644 and renames it to its final path.
func (f *File) Commit() error {
	if err := f.Chmod(0o644); err != nil {
		f.Abort()
		return fmt.Errorf("setting mode of %s: %w", f.path, err)
	}
	if err := f.Close(); err != nil {
		f.Abort()
		return fmt.Errorf("closing %s: %w", f.path, err)
	}
	if err := os.Rename(f.Name(), f.path); err != nil {
		f.Abort()
		return fmt.Errorf("renaming %s into place: %w", f.path, err)
	}
	f.committed = true
	return nil
}

// Abort closes and removes the temporary file unless f was committed.
func (f *File) Abort() {
	if f.committed {
		return
	}
	f.Close()
	os.Remove(f.Name())
}

// Dir is a directory being filled next to its final path.
type Dir struct {
	tmp, path string
	committed bool
}

// CreateDir starts a directory that replaces path on Commit. path may
// already exist as an empty directory (Bazel creates declared directories).
func CreateDir(path string) (*Dir, error) {
	if entries, err := os.ReadDir(path); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("output directory %s is not empty", path)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("checking output directory %s: %w", path, err)
	}
	clean := filepath.Clean(path)
	tmp, err := os.MkdirTemp(filepath.Dir(clean), "."+filepath.Base(clean)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("creating temporary directory for %s: %w", path, err)
	}
	return &Dir{tmp: tmp, path: clean}, nil
}

// Temp returns the temporary directory to fill.
func (d *Dir) Temp() string { return d.tmp }

// Path returns the final path of d.
func (d *Dir) Path() string { return d.path }

// Commit sets the mode of d to 0755 and renames it to its final path,
// replacing an empty directory there.
func (d *Dir) Commit() error {
	if err := os.Chmod(d.tmp, 0o755); err != nil {
		d.Abort()
		return fmt.Errorf("setting mode of %s: %w", d.path, err)
	}
	// os.Rename never replaces a directory: remove the empty one first.
	if err := os.Remove(d.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		d.Abort()
		return fmt.Errorf("replacing %s: %w", d.path, err)
	}
	if err := os.Rename(d.tmp, d.path); err != nil {
		d.Abort()
		return fmt.Errorf("renaming %s into place: %w", d.path, err)
	}
	d.committed = true
	return nil
}

// Abort removes the temporary directory unless d was committed.
func (d *Dir) Abort() {
	if !d.committed {
		os.RemoveAll(d.tmp)
	}
}

// Commit commits outs in order. If one fails, the rest are aborted and the
// ones already in place are removed, so the outputs appear all or none.
func Commit(outs ...Output) error {
	for i, o := range outs {
		if err := o.Commit(); err != nil {
			for _, done := range outs[:i] {
				os.RemoveAll(done.Path())
			}
			for _, rest := range outs[i+1:] {
				rest.Abort()
			}
			return err
		}
	}
	return nil
}
