package index

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
)

// WriteArchive writes the OCI image layout at dir as an OCI archive (a tar
// of the layout) at path, atomically. The tar is deterministic: oci-layout,
// index.json, then the blobs by digest; root-owned, time zero, no user
// names. Symlinks in dir are followed (Bazel's sandbox has them).
func WriteArchive(path, dir string) error {
	names, err := blobNames(dir)
	if err != nil {
		return err
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	tw := tar.NewWriter(f)
	entries := []string{"oci-layout", "index.json", "blobs/", "blobs/sha256/"}
	for _, n := range names {
		entries = append(entries, "blobs/sha256/"+n)
	}
	for _, name := range entries {
		if err := addEntry(tw, dir, name); err != nil {
			return fmt.Errorf("writing OCI archive %s: %s: %w", path, name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("writing OCI archive %s: %w", path, err)
	}
	return atomicfile.Commit(f)
}

// blobNames lists the sha256 blobs of the layout at dir, sorted.
func blobNames(dir string) ([]string, error) {
	if _, err := os.Stat(filepath.Join(dir, "index.json")); err != nil {
		return nil, fmt.Errorf("reading OCI layout %s: %w", dir, err)
	}
	des, err := os.ReadDir(filepath.Join(dir, "blobs", "sha256"))
	if err != nil {
		return nil, fmt.Errorf("reading OCI layout %s: %w", dir, err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	sort.Strings(names)
	return names, nil
}

func addEntry(tw *tar.Writer, dir, name string) error {
	hdr := &tar.Header{Name: name, ModTime: time.Unix(0, 0)}
	if name[len(name)-1] == '/' {
		hdr.Typeflag = tar.TypeDir
		hdr.Mode = 0o755
		return tw.WriteHeader(hdr)
	}
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("not a regular file")
	}
	hdr.Typeflag = tar.TypeReg
	hdr.Mode = 0o644
	hdr.Size = fi.Size()
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	n, err := io.Copy(tw, f)
	if err != nil {
		return err
	}
	if n != fi.Size() {
		return fmt.Errorf("changed while being read: %d bytes, want %d", n, fi.Size())
	}
	return nil
}
