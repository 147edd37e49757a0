package deb

import (
	"fmt"
	"os"
)

// OpenFile opens the package file at path, which must be a regular file.
// The caller closes the returned file once it is done with the package.
func OpenFile(path string) (*Deb, *os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("opening package: %w", err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("package %s is not a regular file (%s)", path, fi.Mode().Type())
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	pkg, err := Open(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return pkg, f, nil
}
