package layer

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"

	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
)

// Hardlink is the kind of a Stream entry that is another name for a File
// entry written earlier. ENTRIES.json has no hardlinks: Write rejects it.
const Hardlink Kind = "hardlink"

// Header is one entry of a Stream.
type Header struct {
	// Path is relative to the image root, as Entry.Path.
	Path string
	// Kind is File, Dir, Symlink or Hardlink.
	Kind Kind
	// Mode holds the permission bits (with setuid, setgid and sticky), 0..07777.
	Mode int64
	UID  int64
	GID  int64
	// Target is the link target: written verbatim for a Symlink; for a
	// Hardlink, the path of a File entry already in the stream.
	Target string
	// Size is the length of a File's content; 0 for other kinds.
	Size int64
}

// String describes h for error messages.
func (h Header) String() string {
	switch h.Kind {
	case Symlink:
		return fmt.Sprintf("symlink to %q mode %04o owner %d:%d", h.Target, h.Mode, h.UID, h.GID)
	case Hardlink:
		return fmt.Sprintf("hardlink to %q mode %04o owner %d:%d", h.Target, h.Mode, h.UID, h.GID)
	case File:
		return fmt.Sprintf("file of %d bytes mode %04o owner %d:%d", h.Size, h.Mode, h.UID, h.GID)
	default:
		return fmt.Sprintf("%s mode %04o owner %d:%d", h.Kind, h.Mode, h.UID, h.GID)
	}
}

// Stream writes a layer entry by entry, in the order the entries are added,
// for callers whose entries come from a stream rather than from files (the
// data.tar of a Debian package). Unlike Write it does not sort: the caller's
// order must be deterministic. Like Write it adds every missing parent
// directory as 0755 0:0 before the first entry below it, gives every entry
// the same mtime and empty owner names, and hashes and compresses in the
// same single pass, with the same pinned compressors.
//
// The bytes go: tar writer → sha256 (diff_id) → compressor → sha256
// (digest) → w. Memory is bounded by the number of paths (one small record
// per path), never by the size of the contents.
type Stream struct {
	blob, diff *countingHash
	zw         io.WriteCloser
	tw         *tar.Writer
	mtime      time.Time
	compr      Compression
	written    map[string]Header
	onFile     func(FileSum)
	sums       map[string]FileSum // by path, for hardlinks; only with onFile
	err        error
	closed     bool
}

// NewStream starts a layer written to w. Call Close exactly once, also
// after an error, so the compressor's goroutines end.
func NewStream(w io.Writer, opts Options) (*Stream, error) {
	blob := &countingHash{w: w, h: sha256.New()}
	zw, err := opts.Compression.compressor(blob, opts.Level)
	if err != nil {
		return nil, err
	}
	diff := &countingHash{w: zw, h: sha256.New()}
	return &Stream{
		blob: blob, diff: diff, zw: zw, tw: tar.NewWriter(diff),
		mtime: opts.ModTime, compr: opts.Compression,
		written: map[string]Header{},
		onFile:  opts.OnFile, sums: map[string]FileSum{},
	}, nil
}

// Add writes the entry h; a File's content is the next h.Size bytes of
// content (which may be nil for other kinds). Missing parent directories of
// h.Path are written first, as 0755 0:0.
//
// Adding a Dir that the stream already holds with the same mode and owner
// (a directory listed after its contents, or twice) does nothing; any other
// path already in the stream is an error. After an error the stream is
// unusable: every later call returns the same error.
func (s *Stream) Add(h Header, content io.Reader) error {
	if s.err != nil {
		return s.err
	}
	if s.closed {
		return errors.New("layer stream already closed")
	}
	if err := s.add(h, content); err != nil {
		s.err = fmt.Errorf("path %q: %w", h.Path, err)
		return s.err
	}
	return nil
}

func (s *Stream) add(h Header, content io.Reader) error {
	if err := s.check(h); err != nil {
		return err
	}
	if prev, ok := s.written[h.Path]; ok {
		if h.Kind == Dir && prev.Kind == Dir && h.Mode == prev.Mode && h.UID == prev.UID && h.GID == prev.GID {
			return nil
		}
		return fmt.Errorf("already in the layer as %s, now %s", prev, h)
	}
	// Parents, top down, so each is written before what it holds.
	for i := 0; i < len(h.Path); i++ {
		if h.Path[i] != '/' {
			continue
		}
		dir := h.Path[:i]
		d, ok := s.written[dir]
		if !ok {
			if err := s.write(Header{Path: dir, Kind: Dir, Mode: 0o755}, nil); err != nil {
				return fmt.Errorf("writing parent %q: %w", dir, err)
			}
			continue
		}
		if d.Kind != Dir {
			return fmt.Errorf("parent %q is a %s, not a dir", dir, d.Kind)
		}
	}
	return s.write(h, content)
}

// check reports why h cannot be added, if it cannot.
func (s *Stream) check(h Header) error {
	if err := checkPath(h.Path); err != nil {
		return err
	}
	if h.Mode < 0 || h.Mode > 0o7777 {
		return fmt.Errorf("mode %d (%#o) is outside 0..07777", h.Mode, h.Mode)
	}
	if h.UID < 0 || h.UID > MaxID || h.GID < 0 || h.GID > MaxID {
		return fmt.Errorf("owner %d:%d is outside 0..%d", h.UID, h.GID, int64(MaxID))
	}
	if h.Kind != File && h.Size != 0 {
		return fmt.Errorf("kind %s takes no size, got %d", h.Kind, h.Size)
	}
	switch h.Kind {
	case File:
		if h.Size < 0 {
			return fmt.Errorf("negative size %d", h.Size)
		}
		if h.Target != "" {
			return errors.New("kind file takes no target")
		}
	case Dir:
		if h.Target != "" {
			return errors.New("kind dir takes no target")
		}
	case Symlink:
		if h.Target == "" {
			return errors.New("kind symlink needs target")
		}
		if strings.ContainsRune(h.Target, 0) {
			return errors.New("NUL byte in symlink target")
		}
	case Hardlink:
		if err := checkPath(h.Target); err != nil {
			return fmt.Errorf("hardlink target %q: %w", h.Target, err)
		}
		t, ok := s.written[h.Target]
		if !ok {
			return fmt.Errorf("hardlink target %q is not in the layer yet", h.Target)
		}
		if t.Kind != File {
			return fmt.Errorf("hardlink target %q is a %s, not a file", h.Target, t.Kind)
		}
	default:
		return fmt.Errorf("kind %q is not one of file, dir, symlink, hardlink", h.Kind)
	}
	return nil
}

func (s *Stream) write(h Header, content io.Reader) error {
	hdr := &tar.Header{
		Name:    h.Path,
		Mode:    h.Mode,
		Uid:     int(h.UID),
		Gid:     int(h.GID),
		ModTime: s.mtime,
		// Unset, so the writer picks USTAR when the entry fits, else PAX.
		Format: tar.FormatUnknown,
	}
	switch h.Kind {
	case Dir:
		hdr.Typeflag = tar.TypeDir
		hdr.Name += "/"
	case Symlink:
		hdr.Typeflag = tar.TypeSymlink
		hdr.Linkname = h.Target
	case Hardlink:
		hdr.Typeflag = tar.TypeLink
		hdr.Linkname = h.Target
	case File:
		hdr.Typeflag = tar.TypeReg
		hdr.Size = h.Size
	}
	if err := s.tw.WriteHeader(hdr); err != nil {
		return err
	}
	s.written[h.Path] = h
	switch {
	case s.onFile != nil && h.Kind == Hardlink:
		// The same content under another name.
		sum := s.sums[h.Target]
		sum.Path = h.Path
		s.onFile(sum)
		return nil
	case h.Kind != File:
		return nil
	}
	var dst io.Writer = s.tw
	var sum hash.Hash
	if s.onFile != nil {
		sum = sha256.New()
		dst = io.MultiWriter(s.tw, sum)
	}
	if h.Size > 0 {
		if content == nil {
			return fmt.Errorf("file of %d bytes without content", h.Size)
		}
		n, err := io.CopyN(dst, content, h.Size)
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("content ended after %d of %d bytes", n, h.Size)
		}
		if err != nil {
			return err
		}
	}
	if s.onFile != nil {
		fs := FileSum{Path: h.Path, SHA256: hex.EncodeToString(sum.Sum(nil)), Size: h.Size}
		s.sums[h.Path] = fs
		s.onFile(fs)
	}
	return nil
}

// Close finishes the tar and the compressor and returns the layer's
// descriptor, or the first error of the stream.
func (s *Stream) Close() (descriptor.Layer, error) {
	if s.closed {
		return descriptor.Layer{}, errors.New("layer stream already closed")
	}
	s.closed = true
	if s.err != nil {
		s.zw.Close() // only to release the compressor
		return descriptor.Layer{}, s.err
	}
	if err := s.tw.Close(); err != nil {
		s.zw.Close()
		return descriptor.Layer{}, fmt.Errorf("finishing tar: %w", err)
	}
	if err := s.zw.Close(); err != nil {
		return descriptor.Layer{}, fmt.Errorf("compressing layer: %w", err)
	}
	return descriptor.Layer{
		MediaType: s.compr.MediaType(),
		Digest:    s.blob.sum(),
		Size:      s.blob.n,
		DiffID:    s.diff.sum(),
	}, nil
}
