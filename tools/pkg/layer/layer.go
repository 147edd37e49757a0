package layer

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
)

// Options fix everything about a layer that its entries do not.
type Options struct {
	Compression Compression
	// Level is the compression level; see Compression.CheckLevel.
	Level int
	// ModTime is the mtime of every tar entry (SOURCE_DATE_EPOCH).
	ModTime time.Time
	// OnFile, when not nil, receives the FileSum of every regular file
	// (and hardlink) in the order the layer holds them. The sha256 is
	// computed from the bytes on their way into the tar: no second read.
	OnFile func(FileSum)
}

// FileSum is one regular file of a layer and the sha256 of its content.
type FileSum struct {
	// Path is the file's path in the layer, relative to the image root.
	Path string `json:"path"`
	// SHA256 is the lowercase hex sha256 of the content.
	SHA256 string `json:"sha256"`
	// Size is the content's length in bytes.
	Size int64 `json:"size"`
}

// Write writes the layer holding entries to w and returns its descriptor.
//
// The bytes go through one pass: tar writer → sha256 (diff_id) → compressor
// → sha256 (digest) → w. Entries are validated first (see Entry); nothing is
// written when they are invalid, but w may hold part of a layer when reading
// a src fails.
func Write(w io.Writer, entries []Entry, opts Options) (descriptor.Layer, error) {
	planned, err := plan(entries)
	if err != nil {
		return descriptor.Layer{}, err
	}
	blob := &countingHash{w: w, h: sha256.New()}
	zw, err := opts.Compression.compressor(blob, opts.Level)
	if err != nil {
		return descriptor.Layer{}, err
	}
	diff := &countingHash{w: zw, h: sha256.New()}
	if err := writeTar(diff, planned, opts.ModTime, opts.OnFile); err != nil {
		return descriptor.Layer{}, err
	}
	if err := zw.Close(); err != nil {
		return descriptor.Layer{}, fmt.Errorf("compressing layer: %w", err)
	}
	return descriptor.Layer{
		MediaType: opts.Compression.MediaType(),
		Digest:    blob.sum(),
		Size:      blob.n,
		DiffID:    diff.sum(),
	}, nil
}

// writeTar writes entries, already planned, as a tar stream.
func writeTar(w io.Writer, entries []Entry, mtime time.Time, onFile func(FileSum)) error {
	tw := tar.NewWriter(w)
	for _, e := range entries {
		if err := writeEntry(tw, e, mtime, onFile); err != nil {
			return fmt.Errorf("writing %q: %w", e.Path, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("finishing tar: %w", err)
	}
	return nil
}

func writeEntry(tw *tar.Writer, e Entry, mtime time.Time, onFile func(FileSum)) error {
	hdr := &tar.Header{
		Name:    e.Path,
		Mode:    e.mode(),
		Uid:     int(e.UID),
		Gid:     int(e.GID),
		ModTime: mtime,
		// Unset, so the writer picks USTAR when the entry fits, else PAX.
		Format: tar.FormatUnknown,
	}
	switch e.Kind {
	case Dir:
		hdr.Typeflag = tar.TypeDir
		hdr.Name += "/"
		return tw.WriteHeader(hdr)
	case Symlink:
		hdr.Typeflag = tar.TypeSymlink
		hdr.Linkname = e.Target
		return tw.WriteHeader(hdr)
	}
	f, err := openRegular(e.Src)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("reading src: %w", err)
	}
	hdr.Typeflag = tar.TypeReg
	hdr.Size = fi.Size()
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	var dst io.Writer = tw
	var sum hash.Hash
	if onFile != nil {
		sum = sha256.New()
		dst = io.MultiWriter(tw, sum)
	}
	if n, err := io.Copy(dst, f); err != nil {
		return fmt.Errorf("copying src %s: %w", e.Src, err)
	} else if n != hdr.Size {
		return fmt.Errorf("src %s changed while being read: %d bytes, then %d", e.Src, hdr.Size, n)
	}
	if onFile != nil {
		onFile(FileSum{Path: e.Path, SHA256: hex.EncodeToString(sum.Sum(nil)), Size: hdr.Size})
	}
	return nil
}

// countingHash passes writes through to w, hashing and counting them.
type countingHash struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}

func (c *countingHash) sum() v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(c.h.Sum(nil))}
}
