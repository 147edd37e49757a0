package ldcache

import (
	"archive/tar"
	"bufio"
	"bytes"
	"debug/elf"
	"io"
	"path"
	"strings"

	"github.com/rules-distill/rules_distill/tools/pkg/imagefs"
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

// Tree is the file tree of an image, as far as the cache needs it: kinds,
// symlink targets and the ELF facts of files, never their contents.
type Tree struct {
	fs *imagefs.FS[*lib]
}

// NewTree returns an empty tree.
func NewTree() *Tree {
	return &Tree{fs: imagefs.New[*lib]()}
}

// AddLayer adds the layer blob r (a tar, gzip- or zstd-compressed or not,
// told apart by its first bytes) on top of the layers added before.
func (t *Tree) AddLayer(r io.Reader) error {
	return t.fs.AddLayer(r, func(_ *tar.Header, _ string, r io.Reader) (*lib, error) {
		return readLib(r)
	})
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

// lookup returns the kind of p and its node; ok is false when p does not
// exist.
func (t *Tree) lookup(p string) (imagefs.Kind, *imagefs.Node[*lib], bool) {
	n, ok := t.fs.Get(p)
	if !ok {
		return 0, nil, false
	}
	return n.Kind, n, true
}

// resolve follows every symlink on the way to p (inside the tree: ".."
// stops at the root, absolute targets start at it) and returns the path
// it ends at, root-relative; ok is false when that does not exist.
func (t *Tree) resolve(p string) (string, bool) {
	real, _, ok := t.fs.Resolve(p)
	return strings.TrimPrefix(real, "/"), ok
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
	var entries []Entry
	scanned := map[string]bool{}
	for _, d := range dirs {
		d = path.Clean(d)
		real, ok := t.resolve(d)
		if !ok {
			continue
		}
		if k, _, _ := t.lookup(real); k != imagefs.Dir || scanned[real] {
			continue
		}
		scanned[real] = true
		have := map[string]bool{}
		for _, name := range t.fs.Children(real) {
			if !isDSO(name) || strings.HasSuffix(name, ".#prelink#") || strings.Contains(name, ".#prelink#.") {
				continue
			}
			p := path.Join(real, name)
			k, n, _ := t.lookup(p)
			isLink := k == imagefs.Symlink
			switch k {
			case imagefs.File:
			case imagefs.Symlink:
				target, ok := t.resolve(p)
				if !ok {
					continue
				}
				if k, n, _ = t.lookup(target); k != imagefs.File {
					continue
				}
			default:
				continue
			}
			l := n.Data
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
