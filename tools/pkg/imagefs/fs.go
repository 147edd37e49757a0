package imagefs

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
)

// Kind is what a path of the flattened filesystem is.
type Kind int

// The kinds of nodes.
const (
	File Kind = iota
	Dir
	Symlink
	Other // devices, fifos
)

func (k Kind) String() string {
	switch k {
	case File:
		return "file"
	case Dir:
		return "dir"
	case Symlink:
		return "symlink"
	}
	return "special file"
}

// Node is one path of the flattened filesystem; Data is what the
// caller's ReadFunc kept of a regular file (a hard link gets a copy of its
// file's).
type Node[T any] struct {
	Kind Kind
	// Mode holds the permission bits with setuid, setgid and sticky (07777).
	Mode     int64
	UID, GID int
	// Target is the link target of a Symlink, verbatim.
	Target string
	Size   int64
	Data   T
	// Implied is true for a directory that no layer lists, only its children.
	Implied bool
	layer   int
}

// ReadFunc reads what the caller keeps of the regular file of header h at
// the absolute path abs. It must read r to its end or return an error.
type ReadFunc[T any] func(h *tar.Header, abs string, r io.Reader) (T, error)

// FS is an image's filesystem with every layer added so far applied in
// order.
type FS[T any] struct {
	nodes  map[string]*Node[T] // by path relative to the root, cleaned; "" is the root
	layers int
}

// New returns an empty filesystem: only the root directory.
func New[T any]() *FS[T] {
	return &FS[T]{nodes: map[string]*Node[T]{"": {Kind: Dir, Mode: 0o755, Implied: true}}}
}

// AddLayer applies the layer blob r (a tar, gzip- or zstd-compressed or
// not, told apart by its first bytes) on top of the filesystem, calling
// read for every regular file. One pass over the bytes.
func (fs *FS[T]) AddLayer(r io.Reader, read ReadFunc[T]) error {
	tr, _, err := Decompress(r)
	if err != nil {
		return err
	}
	defer tr.Close()
	fs.layers++
	return fs.addTar(tar.NewReader(tr), read)
}

func (fs *FS[T]) addTar(tr *tar.Reader, read ReadFunc[T]) error {
	layer := fs.layers
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the tar: %w", err)
		}
		p := Clean(h.Name)
		if p == "" {
			continue
		}
		dir, base := path.Split(p)
		dir = strings.TrimSuffix(dir, "/")
		if base == ".wh..wh..opq" {
			fs.removeBelow(dir, layer)
			continue
		}
		if name, ok := strings.CutPrefix(base, ".wh."); ok {
			// Whiteouts never remove what their own layer puts.
			wp := path.Join(dir, name)
			if old, ok := fs.nodes[wp]; ok && old.layer < layer {
				delete(fs.nodes, wp)
			}
			fs.removeBelow(wp, layer)
			continue
		}
		n := &Node[T]{Mode: h.Mode & 0o7777, UID: h.Uid, GID: h.Gid, Size: h.Size, layer: layer}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeRegA: //nolint:staticcheck // old archivers write TypeRegA
			n.Kind = File
			if n.Data, err = read(h, "/"+p, tr); err != nil {
				return fmt.Errorf("%s: %w", h.Name, err)
			}
		case tar.TypeDir:
			n.Kind = Dir
		case tar.TypeSymlink:
			n.Kind = Symlink
			n.Target = h.Linkname
		case tar.TypeLink:
			old, ok := fs.nodes[Clean(h.Linkname)]
			if !ok || old.Kind != File {
				return fmt.Errorf("%s: hardlink to %q, which is not a file before it", h.Name, h.Linkname)
			}
			c := *old
			c.Mode, c.UID, c.GID, c.layer = n.Mode, n.UID, n.GID, layer
			n = &c
		default:
			n.Kind = Other
		}
		if n.Kind != Dir {
			// A non-directory hides what lower layers had below its path.
			fs.removeBelow(p, layer)
		}
		fs.nodes[p] = n
		// Parent directories a layer leaves out exist all the same.
		for d := dir; d != ""; d = parent(d) {
			if _, ok := fs.nodes[d]; ok {
				break
			}
			fs.nodes[d] = &Node[T]{Kind: Dir, Mode: 0o755, Implied: true, layer: layer}
		}
	}
}

func parent(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i]
}

// removeBelow removes what layers below layer hold under dir (not dir
// itself).
func (fs *FS[T]) removeBelow(dir string, layer int) {
	prefix := dir + "/"
	if dir == "" {
		prefix = ""
	}
	for p, n := range fs.nodes {
		if p != "" && p != dir && n.layer < layer && strings.HasPrefix(p, prefix) {
			delete(fs.nodes, p)
		}
	}
}

// Get returns the node at the root-relative cleaned path p ("" is the
// root), following no symlink.
func (fs *FS[T]) Get(p string) (*Node[T], bool) {
	n, ok := fs.nodes[p]
	return n, ok
}

// Lookup returns the node at the absolute or root-relative path p, without
// following a symlink at p itself (symlinks in its directories are
// followed); ok is false when nothing is there.
func (fs *FS[T]) Lookup(p string) (*Node[T], bool) {
	dir, base := path.Split(Clean(p))
	if base == "" {
		return fs.nodes[""], true
	}
	real, ok := fs.resolve(dir)
	if !ok {
		return nil, false
	}
	n, ok := fs.nodes[path.Join(real, base)]
	return n, ok
}

// Resolve follows every symlink on the way to p, the last one included
// (inside the image: ".." stops at the root, absolute targets start at
// it), and returns the real path (absolute) and its node.
func (fs *FS[T]) Resolve(p string) (string, *Node[T], bool) {
	real, ok := fs.resolve(p)
	if !ok {
		return "", nil, false
	}
	return "/" + real, fs.nodes[real], true
}

// maxLinks is how many symlinks a path may go through, as Linux's
// MAXSYMLINKS.
const maxLinks = 40

func (fs *FS[T]) resolve(p string) (string, bool) {
	rest := strings.Split(p, "/")
	cur := ""
	links := 0
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = parent(cur)
			continue
		}
		next := path.Join(cur, c)
		n, ok := fs.nodes[next]
		if !ok {
			return "", false
		}
		if n.Kind == Symlink {
			if links++; links > maxLinks {
				return "", false
			}
			if strings.HasPrefix(n.Target, "/") {
				cur = ""
			}
			rest = append(strings.Split(n.Target, "/"), rest...)
			continue
		}
		if n.Kind != Dir && slices.ContainsFunc(rest, func(s string) bool { return s != "" && s != "." }) {
			return "", false
		}
		cur = next
	}
	return cur, true
}

// Walk calls fn for every path of the filesystem (absolute), sorted,
// except the root and the directories no layer lists.
func (fs *FS[T]) Walk(fn func(p string, n *Node[T])) {
	paths := make([]string, 0, len(fs.nodes))
	for p, n := range fs.nodes {
		if p != "" && !n.Implied {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	for _, p := range paths {
		fn("/"+p, fs.nodes[p])
	}
}

// Children returns the names in the directory at the root-relative
// cleaned path dir (not following symlinks), sorted.
func (fs *FS[T]) Children(dir string) []string {
	prefix := dir + "/"
	if dir == "" {
		prefix = ""
	}
	var names []string
	for p := range fs.nodes {
		if rest, ok := strings.CutPrefix(p, prefix); ok && p != "" && p != dir && !strings.Contains(rest, "/") {
			names = append(names, rest)
		}
	}
	slices.Sort(names)
	return names
}
