package deblayer

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rules-distill/rules_distill/tools/pkg/deb"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
)

// StatusDir holds one control file per package (and its md5sums), the
// package database of distroless images that scanners read.
const StatusDir = "var/lib/dpkg/status.d"

// Options say how a package becomes a layer.
type Options struct {
	// Layer fixes compression, level and mtime.
	Layer layer.Options
	// KeepDocs keeps usr/share/{doc,man,info,lintian,doc-base}.
	KeepDocs bool
	// MergedUsr moves bin/, sbin/ and lib*/ below usr/ (see the package doc).
	MergedUsr bool
	// Include, when not empty, keeps only the entries whose layer path (or
	// a directory above it) matches one of these patterns, the directories
	// above them, and the status.d files. See CheckPattern for the syntax.
	Include []string
	// Exclude drops the entries whose layer path (or a directory above it)
	// matches one of these patterns; it wins over Include.
	Exclude []string
	// Note receives one line per kept setuid or setgid file, e.g.
	// "libc6: setuid file usr/lib/x (mode 4755)". Nil drops them.
	Note func(string)
	// Read maps data.tar paths (without "./", e.g.
	// "usr/share/doc/libc6/copyright") to functions that receive the
	// content of the regular file there, read in the same pass as the
	// layer, whether the layer keeps the file or not. Files larger than
	// MaxRead are not passed.
	Read map[string]func([]byte)
}

// MaxRead is the largest file that Options.Read passes on.
const MaxRead = 4 << 20

// mergedTop are the top-level directories that are symlinks into usr/ on a
// merged-usr system.
var mergedTop = map[string]bool{"bin": true, "sbin": true, "lib": true, "lib32": true, "lib64": true, "libx32": true}

// docDirs are dropped whole unless Options.KeepDocs (usr/share/doc has its
// own rule, see isDoc).
var docDirs = []string{"usr/share/man", "usr/share/info", "usr/share/lintian", "usr/share/doc-base"}

// Write writes the layer of package d to w and returns its descriptor.
// Errors start with the package name; w may hold part of a layer after one.
func Write(w io.Writer, d *deb.Deb, opts Options) (descriptor.Layer, error) {
	f, err := newFilter(opts.Include, opts.Exclude)
	if err != nil {
		return descriptor.Layer{}, fmt.Errorf("%s: %w", d.Name, err)
	}
	s, err := layer.NewStream(w, opts.Layer)
	if err != nil {
		return descriptor.Layer{}, err
	}
	c := &converter{d: d, opts: opts, s: s, filter: f, seen: map[string]source{}, out: map[string]placed{}, pending: map[string]placed{}}
	if err := c.run(); err != nil {
		s.Close()
		return descriptor.Layer{}, fmt.Errorf("%s: %w", d.Name, err)
	}
	desc, err := s.Close()
	if err != nil {
		return descriptor.Layer{}, fmt.Errorf("%s: %w", d.Name, err)
	}
	return desc, nil
}

// inode is a regular file of the package and its hardlinks.
type inode struct {
	name                 string // the data.tar name (normalized) of the file
	out                  string // the layer path holding its content; "" while none
	mode, uid, gid, size int64
}

// source is what an earlier data.tar name was, for hardlinks to it.
type source struct {
	kind layer.Kind
	ino  *inode // File only (regular files and hardlinks)
}

// placed is the entry at a layer path.
type placed struct {
	name string // its data.tar name, as in the package
	h    layer.Header
}

type converter struct {
	d      *deb.Deb
	opts   Options
	s      *layer.Stream
	filter *filter
	seen   map[string]source // normalized data.tar name → what it was
	out    map[string]placed // layer path → what was put there
	// pending are directories outside the Include patterns, written just
	// before the first kept entry below them (if any).
	pending map[string]placed
}

func (c *converter) run() error {
	dr, err := c.d.Data()
	if err != nil {
		return err
	}
	defer dr.Close()
	for {
		h, err := dr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if err := c.entry(h, dr); err != nil {
			return fmt.Errorf("entry %q: %w", h.Name, err)
		}
	}
	status := []struct {
		name string
		data []byte
	}{{c.d.Name, c.d.Control}, {c.d.Name + ".md5sums", c.d.MD5Sums}}
	for _, f := range status {
		if f.data == nil {
			continue
		}
		h := layer.Header{Path: StatusDir + "/" + f.name, Kind: layer.File, Mode: 0o644, Size: int64(len(f.data))}
		if err := c.s.Add(h, bytes.NewReader(f.data)); err != nil {
			return fmt.Errorf("writing package metadata: %w", err)
		}
	}
	return nil
}

// entry puts the data.tar entry h, whose content r holds, into the layer,
// or drops it.
func (c *converter) entry(h *tar.Header, r io.Reader) error {
	var kind layer.Kind
	switch h.Typeflag {
	case tar.TypeDir:
		kind = layer.Dir
	case tar.TypeReg, '\x00': // '\x00': pre-POSIX regular file
		kind = layer.File
	case tar.TypeSymlink:
		kind = layer.Symlink
	case tar.TypeLink:
		kind = layer.Hardlink
	case tar.TypeChar:
		return errors.New("character device: an image layer takes no devices")
	case tar.TypeBlock:
		return errors.New("block device: an image layer takes no devices")
	case tar.TypeFifo:
		return errors.New("FIFO: an image layer takes no FIFOs")
	case tar.TypeXGlobalHeader:
		return nil // PAX defaults for later entries, which tar.Reader applies
	default:
		return fmt.Errorf("unsupported tar entry type %q", h.Typeflag)
	}
	name, err := normalize(h.Name, kind == layer.Dir)
	if err != nil {
		return err
	}
	if name == "" {
		if kind != layer.Dir {
			return fmt.Errorf("the image root as a %s", kind)
		}
		return nil // the root itself: not an entry of a layer
	}
	p := name
	if c.opts.MergedUsr {
		top, _, below := strings.Cut(name, "/")
		switch {
		case !mergedTop[top]:
		case below:
			p = "usr/" + name
		case kind == layer.Dir:
			c.seen[name] = source{kind: kind}
			return nil // usr/<top> holds its entries; /<top> stays a symlink
		case kind != layer.Symlink:
			return fmt.Errorf("a %s at %q: with merged usr, top-level %s must be a directory (dropped) or a symlink (kept)", kind, top, top)
		}
	}
	verdict := c.filter.judge(p)
	doc := !c.opts.KeepDocs && isDoc(p, c.d.Name)
	drop := doc || verdict != keep
	hdr := layer.Header{Path: p, Kind: kind, Mode: h.Mode & 0o7777, UID: int64(h.Uid), GID: int64(h.Gid)}

	switch kind {
	case layer.Dir:
		c.seen[name] = source{kind: kind}
		switch {
		case verdict == outside && !doc:
			return c.postpone(h.Name, hdr)
		case drop:
			return nil
		}
		return c.put(h.Name, hdr, nil)

	case layer.Symlink:
		c.seen[name] = source{kind: kind}
		if drop {
			return nil
		}
		if h.Linkname == "" {
			return errors.New("symlink without a target")
		}
		if escapes(p, h.Linkname) {
			return fmt.Errorf("symlink to %q leaves the image root from %q", h.Linkname, p)
		}
		hdr.Target = h.Linkname
		return c.put(h.Name, hdr, nil)

	case layer.File:
		ino := &inode{name: name, mode: hdr.Mode, uid: hdr.UID, gid: hdr.GID, size: h.Size}
		c.seen[name] = source{kind: kind, ino: ino}
		read := c.opts.Read[name]
		if h.Size > MaxRead {
			read = nil
		}
		var buf *bytes.Buffer
		if read != nil {
			buf = &bytes.Buffer{}
			r = io.TeeReader(r, buf)
			defer func() {
				if buf.Len() == int(h.Size) {
					read(buf.Bytes())
				}
			}()
		}
		if drop {
			if read != nil {
				_, err := io.Copy(io.Discard, r)
				return err
			}
			return nil // tar.Reader skips the content
		}
		hdr.Size = h.Size
		if err := c.put(h.Name, hdr, r); err != nil {
			return err
		}
		ino.out = p
		c.note(p, hdr.Mode)
		return nil
	}

	// A hardlink: another name for an earlier regular file.
	target, err := normalize(h.Linkname, false)
	if err != nil {
		return fmt.Errorf("hardlink to %q: %w", h.Linkname, err)
	}
	src, ok := c.seen[target]
	switch {
	case target == "" || !ok:
		return fmt.Errorf("hardlink to %q, which is not an earlier entry of the package", h.Linkname)
	case src.kind != layer.File:
		return fmt.Errorf("hardlink to %q, a %s: only regular files can be hardlinked", h.Linkname, src.kind)
	}
	ino := src.ino
	c.seen[name] = src
	if drop {
		return nil
	}
	hdr.Mode, hdr.UID, hdr.GID = ino.mode, ino.uid, ino.gid
	if ino.out != "" {
		hdr.Target = ino.out
		if err := c.put(h.Name, hdr, nil); err != nil {
			return err
		}
		c.note(p, hdr.Mode)
		return nil
	}
	// Every earlier name of the file was dropped (documentation): this
	// name becomes the file, and later hardlinks point to it.
	if err := c.materialize(h.Name, hdr, ino); err != nil {
		return err
	}
	ino.out = p
	c.note(p, hdr.Mode)
	return nil
}

// put adds hdr to the layer for the data.tar entry name, unless an
// identical directory is already there. Pending directories above it are
// written first.
func (c *converter) put(name string, hdr layer.Header, r io.Reader) error {
	if err := c.clash(hdr); err != nil {
		return err
	}
	if _, ok := c.out[hdr.Path]; ok {
		return nil // an identical directory
	}
	for i := 0; i < len(hdr.Path) && len(c.pending) > 0; i++ {
		if hdr.Path[i] != '/' {
			continue
		}
		if d, ok := c.pending[hdr.Path[:i]]; ok {
			delete(c.pending, hdr.Path[:i])
			if err := c.put(d.name, d.h, nil); err != nil {
				return err
			}
		}
	}
	delete(c.pending, hdr.Path)
	if err := c.s.Add(hdr, r); err != nil {
		return err
	}
	c.out[hdr.Path] = placed{name: name, h: hdr}
	return nil
}

// postpone remembers the directory hdr, outside the Include patterns, to be
// written before the first kept entry below it.
func (c *converter) postpone(name string, hdr layer.Header) error {
	if err := c.clash(hdr); err != nil {
		return err
	}
	_, written := c.out[hdr.Path]
	if _, ok := c.pending[hdr.Path]; !ok && !written {
		c.pending[hdr.Path] = placed{name: name, h: hdr}
	}
	return nil
}

// clash reports an error when the layer path of hdr already holds (or will
// hold, for a pending directory) something other than an identical
// directory.
func (c *converter) clash(hdr layer.Header) error {
	prev, ok := c.out[hdr.Path]
	if !ok {
		prev, ok = c.pending[hdr.Path]
	}
	if !ok {
		return nil
	}
	p := prev.h
	if p.Kind == layer.Dir && hdr.Kind == layer.Dir && p.Mode == hdr.Mode && p.UID == hdr.UID && p.GID == hdr.GID {
		return nil
	}
	return fmt.Errorf("goes to %q, as entry %q does (%s, now %s)", hdr.Path, prev.name, p, hdr)
}

// materialize writes the dropped file ino as the regular file hdr.Path,
// reading its content from a new pass over data.tar.
func (c *converter) materialize(name string, hdr layer.Header, ino *inode) error {
	dr, err := c.d.Data()
	if err != nil {
		return err
	}
	defer dr.Close()
	for {
		h, err := dr.Next()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("hardlink target %q not found again in data.tar", ino.name)
		}
		if err != nil {
			return err
		}
		if n, err := normalize(h.Name, false); err != nil || n != ino.name || h.Typeflag != tar.TypeReg {
			continue
		}
		if h.Size != ino.size {
			return fmt.Errorf("hardlink target %q changed size between passes: %d, then %d", ino.name, ino.size, h.Size)
		}
		hdr.Kind, hdr.Size = layer.File, ino.size
		return c.put(name, hdr, dr)
	}
}

func (c *converter) note(p string, mode int64) {
	if c.opts.Note == nil {
		return
	}
	var what string
	switch mode & 0o6000 {
	case 0:
		return
	case 0o4000:
		what = "setuid"
	case 0o2000:
		what = "setgid"
	default:
		what = "setuid and setgid"
	}
	c.opts.Note(fmt.Sprintf("%s: %s file %s (mode %04o)", c.d.Name, what, p, mode))
}

// normalize returns the layer path of the data.tar name: no leading "./",
// no trailing "/" (directories only); "" is the root.
func normalize(name string, dir bool) (string, error) {
	if strings.HasPrefix(name, "/") {
		return "", errors.New("absolute name: data.tar names are relative to the root")
	}
	n := strings.TrimPrefix(name, "./")
	if n == "" || n == "." {
		return "", nil
	}
	if strings.HasSuffix(n, "/") {
		if !dir {
			return "", errors.New("trailing slash on a name that is not a directory")
		}
		n = n[:len(n)-1]
	}
	if strings.ContainsRune(n, 0) {
		return "", errors.New("NUL byte in name")
	}
	for _, e := range strings.Split(n, "/") {
		switch e {
		case "":
			return "", errors.New("empty element in name")
		case ".":
			return "", errors.New(`"." element in name`)
		case "..":
			return "", errors.New(`".." element in name: it would leave the image root`)
		}
	}
	return n, nil
}

// escapes reports whether the symlink at link (a layer path) with target
// climbs above the root: lexically, from the link's directory, or from the
// root for an absolute target.
func escapes(link, target string) bool {
	depth := 0
	if !strings.HasPrefix(target, "/") {
		depth = strings.Count(link, "/")
	}
	for _, e := range strings.Split(target, "/") {
		switch e {
		case "", ".":
		case "..":
			if depth == 0 {
				return true
			}
			depth--
		default:
			depth++
		}
	}
	return false
}

// isDoc reports whether the layer path p of package pkg is documentation
// that is dropped unless Options.KeepDocs.
func isDoc(p, pkg string) bool {
	for _, d := range docDirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	rest, ok := strings.CutPrefix(p, "usr/share/doc/")
	return ok && rest != pkg && rest != pkg+"/copyright"
}
