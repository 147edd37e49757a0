package inspect

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"strings"

	"github.com/rules-distill/rules_distill/tools/pkg/imagefs"
)

// Type is the kind of a path in the image.
type Type string

// The types of paths. A hard link is a TypeFile whose Target names the file it
// links to.
const (
	TypeFile    Type = "file"
	TypeDir     Type = "dir"
	TypeSymlink Type = "symlink"
	TypeChar    Type = "char"
	TypeBlock   Type = "block"
	TypeFIFO    Type = "fifo"
)

// Whiteout prefixes (OCI image spec, "Representing Changes").
const (
	whiteoutPrefix = ".wh."
	opaqueWhiteout = ".wh..wh..opq"
)

// maxCaptured bounds the size of a package database file kept in memory.
const maxCaptured = 8 << 20

// File is one path of an image's filesystem.
type File struct {
	// Path is absolute: "/usr/bin/python3.11".
	Path string `json:"path"`
	Type Type   `json:"type"`
	// Mode holds the permission bits with setuid, setgid and sticky.
	Mode int64 `json:"mode"`
	UID  int   `json:"uid"`
	GID  int   `json:"gid"`
	// Size is the length of a file's content; 0 for other types.
	Size int64 `json:"size,omitempty"`
	// Digest is the sha256 of a file's content ("sha256:<hex>").
	Digest string `json:"digest,omitempty"`
	// Target is a symlink's target, or the path a hard link links to.
	Target string `json:"target,omitempty"`
	// DevMajor and DevMinor number a char or block device.
	DevMajor int64 `json:"devMajor,omitempty"`
	DevMinor int64 `json:"devMinor,omitempty"`
	// Layer is the index of the layer the path comes from, 0 the bottom one.
	Layer int `json:"layer"`
}

// LayerContents is what one layer's tar stream holds.
type LayerContents struct {
	// Entries maps the path of each entry, relative ("usr/bin/x"), to its
	// metadata; the last entry of a path wins.
	Entries map[string]*File
	// Whiteouts are the paths the layer deletes from the layers below.
	Whiteouts map[string]bool
	// Opaque are the directories whose contents below the layer it hides.
	Opaque map[string]bool
	// Captured holds the contents of the package database files.
	Captured map[string][]byte
	// Count is the number of tar entries; FileBytes the bytes of regular
	// file contents (hard links add none).
	Count     int
	FileBytes int64
}

// ReadLayer reads the uncompressed tar stream of layer number index.
// Paths are cleaned relative to the image root; an entry that leaves it
// ("../x") is an error. Contents are hashed, not kept, except captured
// package database files.
func ReadLayer(r io.Reader, index int) (*LayerContents, error) {
	lc := &LayerContents{
		Entries:   map[string]*File{},
		Whiteouts: map[string]bool{},
		Opaque:    map[string]bool{},
		Captured:  map[string][]byte{},
	}
	tr := tar.NewReader(r)
	h := sha256.New()
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return lc, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading tar: %w", err)
		}
		lc.Count++
		if imagefs.IsSparse(hdr) {
			// archive/tar would expand the holes: a few bytes could stand for terabytes.
			return nil, fmt.Errorf("entry %q: sparse files are not supported in layers", hdr.Name)
		}
		p, err := cleanPath(hdr.Name)
		if err != nil {
			return nil, err
		}
		if p == "" {
			continue // the root directory
		}
		dir, base := path.Split(p)
		dir = strings.TrimSuffix(dir, "/")
		if base == opaqueWhiteout {
			lc.Opaque[dir] = true
			continue
		}
		if strings.HasPrefix(base, whiteoutPrefix) {
			lc.Whiteouts[path.Join(dir, strings.TrimPrefix(base, whiteoutPrefix))] = true
			continue
		}
		delete(lc.Captured, p) // an earlier entry of the same path
		f := &File{Path: "/" + p, Mode: hdr.Mode & 0o7777, UID: hdr.Uid, GID: hdr.Gid, Layer: index}
		switch hdr.Typeflag {
		case tar.TypeReg, tar.TypeRegA: //nolint:staticcheck // old archivers write TypeRegA
			f.Type, f.Size = TypeFile, hdr.Size
			var keep *bytes.Buffer
			if captured(p) && hdr.Size <= maxCaptured {
				keep = &bytes.Buffer{}
			}
			if f.Digest, err = digest(h, tr, keep); err != nil {
				return nil, fmt.Errorf("reading %s: %w", f.Path, err)
			}
			if keep != nil {
				lc.Captured[p] = keep.Bytes()
			}
			lc.FileBytes += hdr.Size
		case tar.TypeLink:
			target, err := cleanPath(hdr.Linkname)
			if err != nil {
				return nil, err
			}
			f.Type, f.Target = TypeFile, "/"+target
			if t, ok := lc.Entries[target]; ok && t.Type == TypeFile {
				f.Size, f.Digest = t.Size, t.Digest
				if c, ok := lc.Captured[target]; ok {
					lc.Captured[p] = c
				}
			}
		case tar.TypeDir:
			f.Type = TypeDir
		case tar.TypeSymlink:
			f.Type, f.Target = TypeSymlink, hdr.Linkname
		case tar.TypeChar:
			f.Type, f.DevMajor, f.DevMinor = TypeChar, hdr.Devmajor, hdr.Devminor
		case tar.TypeBlock:
			f.Type, f.DevMajor, f.DevMinor = TypeBlock, hdr.Devmajor, hdr.Devminor
		case tar.TypeFifo:
			f.Type = TypeFIFO
		default:
			return nil, fmt.Errorf("entry %q: unsupported tar entry type %q", hdr.Name, hdr.Typeflag)
		}
		lc.Entries[p] = f
	}
}

// cleanPath returns name relative to the image root, "" for the root.
func cleanPath(name string) (string, error) {
	p := strings.TrimLeft(name, "/")
	p = path.Clean(p)
	switch {
	case p == ".":
		return "", nil
	case p == ".." || strings.HasPrefix(p, "../"):
		return "", fmt.Errorf("entry %q leaves the image root: the layer is malformed", name)
	}
	return p, nil
}

// captured reports whether the contents of p are kept: the package
// database, which is small.
func captured(p string) bool {
	switch {
	case strings.HasPrefix(p, statusDir+"/"):
		return !strings.Contains(strings.TrimPrefix(p, statusDir+"/"), "/")
	case p == statusFile:
		return true
	case strings.HasPrefix(p, infoDir+"/"):
		return strings.HasSuffix(p, ".md5sums") && !strings.Contains(strings.TrimPrefix(p, infoDir+"/"), "/")
	}
	return false
}

// digest hashes all of r with h, copying it to keep when not nil.
func digest(h hash.Hash, r io.Reader, keep *bytes.Buffer) (string, error) {
	h.Reset()
	w := io.Writer(h)
	if keep != nil {
		w = io.MultiWriter(h, keep)
	}
	if _, err := io.Copy(w, r); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
