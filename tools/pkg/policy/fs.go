package policy

import (
	"archive/tar"
	"bufio"
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/rules-distill/rules_distill/tools/pkg/imagefs"
)

// Kind is what a path of the flattened filesystem is.
type Kind = imagefs.Kind

// The kinds of nodes.
const (
	File    = imagefs.File
	Dir     = imagefs.Dir
	Symlink = imagefs.Symlink
	Other   = imagefs.Other // devices, fifos
)

// Node is one path of the flattened filesystem.
type Node = imagefs.Node[FileData]

// FileData is what the checks keep of a regular file.
type FileData struct {
	// Head is the first bytes (up to 256) of an executable file, for its "#!" line.
	Head []byte
	// ELF holds what the loader reads from an ELF file; nil for other files.
	ELF *ELFInfo
	// Content is the file's bytes when the reader was asked to keep them
	// (Kept).
	Content []byte
	Kept    bool
}

// ELFInfo is what the dynamic loader needs from an ELF file.
type ELFInfo struct {
	Class   elf.Class
	Machine elf.Machine
	Type    elf.Type
	// Interp is the PT_INTERP path (the dynamic loader); empty for static executables.
	Interp  string
	Needed  []string
	Runpath []string
	Rpath   []string
	// Invalid is set when the file starts like ELF but does not parse.
	Invalid bool
}

// FS is an image's filesystem with every layer applied in order (see
// tools/pkg/imagefs).
type FS struct {
	*imagefs.FS[FileData]
}

// ReadOptions tunes ReadFS.
type ReadOptions struct {
	// Keep reports whether the bytes of the regular file at the absolute
	// path p (as the layer names it) are kept in Node.Data.Content, for content
	// assertions. /etc/passwd and /etc/ld.so.cache are always kept.
	Keep func(p string) bool
}

// ReadFS decompresses every layer of img once, in order, and returns the
// flattened filesystem. File contents are not kept except for ELF facts,
// the head of executables and what opts.Keep asks for.
func ReadFS(img v1.Image, opts ReadOptions) (*FS, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading the image's layers: %w", err)
	}
	fs := NewFS()
	for i, l := range layers {
		d, _ := l.Digest()
		rc, err := l.Compressed()
		if err != nil {
			return nil, fmt.Errorf("opening layer %d (%s): %w", i, d, err)
		}
		err = fs.AddLayer(rc, opts)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("reading layer %d (%s): %w", i, d, err)
		}
	}
	return fs, nil
}

// NewFS returns an empty filesystem: only the root directory.
func NewFS() *FS {
	return &FS{imagefs.New[FileData]()}
}

// AddLayer applies the layer blob r (a tar, gzip- or zstd-compressed or
// not, told apart by its first bytes) on top of the filesystem.
func (fs *FS) AddLayer(r io.Reader, opts ReadOptions) error {
	return fs.FS.AddLayer(r, func(h *tar.Header, abs string, r io.Reader) (FileData, error) {
		return readFile(h.Mode&0o111 != 0, r, abs, opts)
	})
}

const headSize = 256

// readFile reads what the checks need of the regular file r.
func readFile(executable bool, r io.Reader, abs string, opts ReadOptions) (FileData, error) {
	var d FileData
	keep := abs == "/etc/passwd" || abs == "/etc/ld.so.cache" || opts.Keep != nil && opts.Keep(abs)
	br := bufio.NewReaderSize(r, headSize)
	head, _ := br.Peek(headSize)
	if executable {
		d.Head = bytes.Clone(head)
	}
	isELF := bytes.HasPrefix(head, []byte(elf.ELFMAG))
	// Executables and shared objects are what the loader reads.
	wantELF := isELF && (executable || strings.Contains(path.Base(abs), ".so"))
	if !keep && !wantELF {
		_, err := io.Copy(io.Discard, br)
		return d, err
	}
	data, err := io.ReadAll(br)
	if err != nil {
		return d, err
	}
	if keep {
		d.Content, d.Kept = data, true
	}
	if wantELF {
		d.ELF = readELF(data)
	}
	return d, nil
}

// readELF reads the loader's facts of an ELF file.
func readELF(data []byte) *ELFInfo {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return &ELFInfo{Invalid: true}
	}
	defer f.Close()
	info := &ELFInfo{Class: f.Class, Machine: f.Machine, Type: f.Type}
	for _, p := range f.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		b, err := io.ReadAll(p.Open())
		if err != nil {
			info.Invalid = true
			return info
		}
		info.Interp = string(bytes.TrimRight(b, "\x00"))
	}
	if f.SectionByType(elf.SHT_DYNAMIC) == nil {
		return info
	}
	info.Needed, _ = f.DynString(elf.DT_NEEDED)
	for _, s := range must(f.DynString(elf.DT_RUNPATH)) {
		info.Runpath = append(info.Runpath, strings.Split(s, ":")...)
	}
	for _, s := range must(f.DynString(elf.DT_RPATH)) {
		info.Rpath = append(info.Rpath, strings.Split(s, ":")...)
	}
	return info
}

func must(s []string, _ error) []string { return s }
