package ldcache

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// Arch is what the cache of one architecture needs.
type Arch struct {
	// Machine is the ELF machine of its libraries.
	Machine elf.Machine
	// Flags are the entry flags of its libraries.
	Flags int32
	// Triplet is the multiarch directory name, e.g. "x86_64-linux-gnu".
	Triplet string
}

// Archs are the supported architectures, by Debian/OCI name.
var Archs = map[string]Arch{
	"amd64": {Machine: elf.EM_X86_64, Flags: FlagELFLibc6 | FlagX8664Lib64, Triplet: "x86_64-linux-gnu"},
	"arm64": {Machine: elf.EM_AARCH64, Flags: FlagELFLibc6 | FlagAArch64Lib64, Triplet: "aarch64-linux-gnu"},
}

// Dirs are the directories ldconfig scans when /etc/ld.so.conf names none,
// in its order.
func (a Arch) Dirs() []string {
	return []string{"/lib/" + a.Triplet, "/usr/lib/" + a.Triplet, "/lib", "/usr/lib"}
}

type kind int

const (
	kindFile kind = iota
	kindDir
	kindSymlink
	kindOther
)

// lib is what ldconfig reads from an ELF file.
type lib struct {
	class      elf.Class
	typ        elf.Type
	machine    elf.Machine
	dynamic    bool // a PT_DYNAMIC segment of non-zero size and a DT_STRTAB
	soname     string
	hasSoname  bool
	parseError bool
}

type node struct {
	kind   kind
	target string // symlink target
	lib    *lib   // for an ELF file
	layer  int
}

// Tree is the file tree of an image, as far as the cache needs it: kinds,
// symlink targets and the ELF facts of files, never their contents.
type Tree struct {
	nodes    map[string]*node // by path relative to the root, cleaned
	layers   int
	children map[string][]string // built lazily by index
}

// NewTree returns an empty tree.
func NewTree() *Tree {
	return &Tree{nodes: map[string]*node{}}
}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// AddLayer adds the layer blob r (a tar, gzip- or zstd-compressed or not,
// told apart by its first bytes) on top of the layers added before.
func (t *Tree) AddLayer(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4)
	var tr io.Reader = br
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return err
		}
		defer zr.Close()
		tr = zr
	case bytes.HasPrefix(head, zstdMagic):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(1<<27))
		if err != nil {
			return err
		}
		defer zr.Close()
		tr = zr
	}
	t.layers++
	t.children = nil
	return t.addTar(tar.NewReader(tr), t.layers)
}

func clean(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

func (t *Tree) addTar(tr *tar.Reader, layer int) error {
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the tar: %w", err)
		}
		p := clean(h.Name)
		if p == "" {
			continue
		}
		dir, base := path.Split(p)
		dir = strings.TrimSuffix(dir, "/")
		if base == ".wh..wh..opq" {
			t.removeBelow(dir, layer)
			continue
		}
		if name, ok := strings.CutPrefix(base, ".wh."); ok {
			wp := path.Join(dir, name)
			if n, ok := t.nodes[wp]; ok && n.layer < layer {
				delete(t.nodes, wp)
			}
			t.removeBelow(wp, layer)
			continue
		}
		n := &node{layer: layer}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeRegA:
			n.kind = kindFile
			if n.lib, err = readLib(tr); err != nil {
				return fmt.Errorf("%s: %w", h.Name, err)
			}
		case tar.TypeDir:
			n.kind = kindDir
		case tar.TypeSymlink:
			n.kind = kindSymlink
			n.target = h.Linkname
		case tar.TypeLink:
			old, ok := t.nodes[clean(h.Linkname)]
			if !ok || old.kind != kindFile {
				return fmt.Errorf("%s: hardlink to %q, which is not a file before it", h.Name, h.Linkname)
			}
			n.kind, n.lib = kindFile, old.lib
		default:
			n.kind = kindOther
		}
		if n.kind != kindDir {
			// A non-directory hides what lower layers had below its path.
			t.removeBelow(p, layer)
		}
		t.nodes[p] = n
	}
}

// removeBelow removes what layers below layer hold under dir.
func (t *Tree) removeBelow(dir string, layer int) {
	prefix := dir + "/"
	if dir == "" {
		prefix = ""
	}
	for p, n := range t.nodes {
		if n.layer < layer && strings.HasPrefix(p, prefix) && p != dir {
			delete(t.nodes, p)
		}
	}
}

// readLib reads the ELF facts of the file r, or nil when it is not ELF.
func readLib(r io.Reader) (*lib, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(4)
	if !bytes.Equal(head, []byte(elf.ELFMAG)) {
		_, err := io.Copy(io.Discard, br)
		return nil, err
	}
	data, err := io.ReadAll(br)
	if err != nil {
		return nil, err
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return &lib{parseError: true}, nil
	}
	defer f.Close()
	l := &lib{class: f.Class, typ: f.Type, machine: f.Machine}
	for _, p := range f.Progs {
		if p.Type == elf.PT_DYNAMIC && p.Filesz != 0 {
			l.dynamic = true
		}
	}
	if !l.dynamic {
		return l, nil
	}
	if v, err := f.DynValue(elf.DT_STRTAB); err != nil || len(v) == 0 {
		l.dynamic = false
		return l, nil
	}
	names, err := f.DynString(elf.DT_SONAME)
	if err != nil {
		l.dynamic = false
		return l, nil
	}
	if len(names) > 0 {
		l.soname, l.hasSoname = names[0], true
	}
	return l, nil
}

func (t *Tree) index() {
	if t.children != nil {
		return
	}
	t.children = map[string][]string{}
	seen := map[string]bool{}
	for p := range t.nodes {
		for p != "" && !seen[p] {
			seen[p] = true
			dir, base := path.Split(p)
			dir = strings.TrimSuffix(dir, "/")
			t.children[dir] = append(t.children[dir], base)
			p = dir
		}
	}
	for _, names := range t.children {
		slices.Sort(names)
	}
}

// lookup returns the kind of p and its node (nil for a directory that is
// only implied by what it holds); ok is false when p does not exist.
func (t *Tree) lookup(p string) (kind, *node, bool) {
	if n, ok := t.nodes[p]; ok {
		return n.kind, n, true
	}
	if _, ok := t.children[p]; ok || p == "" {
		return kindDir, nil, true
	}
	return 0, nil, false
}

// resolve follows every symlink on the way to p (inside the tree: ".."
// stops at the root, absolute targets start at it) and returns the path
// it ends at; ok is false when that does not exist.
func (t *Tree) resolve(p string) (string, bool) {
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
			cur = strings.TrimSuffix(path.Dir("/"+cur), "/")
			cur = strings.TrimPrefix(cur, "/")
			continue
		}
		next := path.Join(cur, c)
		k, n, ok := t.lookup(next)
		if !ok {
			return "", false
		}
		if k == kindSymlink {
			if links++; links > 40 {
				return "", false
			}
			if strings.HasPrefix(n.target, "/") {
				cur = ""
			}
			rest = append(strings.Split(n.target, "/"), rest...)
			continue
		}
		if k != kindDir && slices.ContainsFunc(rest, func(s string) bool { return s != "" && s != "." }) {
			return "", false
		}
		cur = next
	}
	return cur, true
}

// isDSO is glibc's _dl_is_dso on a directory entry's name.
func isDSO(name string) bool {
	return (strings.HasPrefix(name, "lib") || strings.HasPrefix(name, "ld-")) && strings.Contains(name, ".so")
}

// Entries returns the cache entries of the libraries of arch in the
// directories ldconfig scans by default (Arch.Dirs), sorted (see Sort).
func (t *Tree) Entries(arch Arch) []Entry {
	return t.EntriesIn(arch, arch.Dirs())
}

// EntriesIn is Entries for the absolute directories dirs, in that order.
func (t *Tree) EntriesIn(arch Arch, dirs []string) []Entry {
	t.index()
	var entries []Entry
	scanned := map[string]bool{}
	for _, d := range dirs {
		d = path.Clean(d)
		real, ok := t.resolve(d)
		if !ok {
			continue
		}
		if k, _, _ := t.lookup(real); k != kindDir || scanned[real] {
			continue
		}
		scanned[real] = true
		have := map[string]bool{}
		for _, name := range t.children[real] {
			if !isDSO(name) || strings.HasSuffix(name, ".#prelink#") || strings.Contains(name, ".#prelink#.") {
				continue
			}
			p := path.Join(real, name)
			k, n, _ := t.lookup(p)
			isLink := k == kindSymlink
			switch k {
			case kindFile:
			case kindSymlink:
				target, ok := t.resolve(p)
				if !ok {
					continue
				}
				if k, n, _ = t.lookup(target); k != kindFile {
					continue
				}
			default:
				continue
			}
			l := n.lib
			if l == nil || l.parseError || l.class != elf.ELFCLASS64 || l.typ != elf.ET_DYN || !l.dynamic || l.machine != arch.Machine {
				continue
			}
			soname := name
			if l.hasSoname {
				soname = l.soname
			}
			if isLink && name != soname && !(strings.HasSuffix(name, ".so") && strings.HasPrefix(soname, name)) {
				isLink = false
			}
			if isLink {
				soname = name
			}
			if soname == "" || have[soname] {
				continue
			}
			have[soname] = true
			entries = append(entries, Entry{Key: soname, Value: d + "/" + soname, Flags: arch.Flags})
		}
	}
	Sort(entries)
	return entries
}
