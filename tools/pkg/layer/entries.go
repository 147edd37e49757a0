package layer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Kind is what an entry puts at its path.
type Kind string

// The kinds of entries.
const (
	File    Kind = "file"
	Dir     Kind = "dir"
	Symlink Kind = "symlink"
)

// MaxID is the largest accepted uid or gid.
const MaxID = 1<<32 - 1

// AutoMode as the mode of a file entry means "choose": 0755 when its src is
// executable by its owner (git keeps that bit), else 0644.
const AutoMode = -1

// Entry is one path of the layer, as the image_layer rule writes it to ENTRIES.json.
type Entry struct {
	// Path is relative to the image root, e.g. "app/server".
	Path string `json:"path"`
	Kind Kind   `json:"kind"`
	// Src is the file whose bytes a File entry holds; symlinks to it are followed.
	Src string `json:"src,omitempty"`
	// Target is written verbatim as the link target of a Symlink entry.
	Target string `json:"target,omitempty"`
	// Mode holds the permission bits (with setuid, setgid and sticky).
	// Unset means 0644 for files, 0755 for directories, 0777 for symlinks;
	// AutoMode picks 0755 or 0644 for a file from its src.
	Mode *int64 `json:"mode,omitempty"`
	UID  int64  `json:"uid,omitempty"`
	GID  int64  `json:"gid,omitempty"`
}

// mode returns the permission bits of e, defaults applied.
func (e Entry) mode() int64 {
	switch {
	case e.Mode != nil:
		return *e.Mode
	case e.Kind == Dir:
		return 0o755
	case e.Kind == Symlink:
		return 0o777
	default:
		return 0o644
	}
}

// String describes e for error messages.
func (e Entry) String() string {
	switch e.Kind {
	case File:
		return fmt.Sprintf("file from %q mode %04o owner %d:%d", e.Src, e.mode(), e.UID, e.GID)
	case Symlink:
		return fmt.Sprintf("symlink to %q mode %04o owner %d:%d", e.Target, e.mode(), e.UID, e.GID)
	default:
		return fmt.Sprintf("%s mode %04o owner %d:%d", e.Kind, e.mode(), e.UID, e.GID)
	}
}

// ReadEntries reads an ENTRIES.json file: {"entries": [...]}. Unknown
// fields are errors, so a typo in a rule fails instead of being ignored.
func ReadEntries(path string) ([]Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading entries: %w", err)
	}
	var file struct {
		Entries []Entry `json:"entries"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("parsing entries %s: %w", path, err)
	}
	return file.Entries, nil
}

// checkPath reports why p cannot be a path in a layer, if it cannot.
func checkPath(p string) error {
	switch {
	case p == "":
		return errors.New("empty path")
	case strings.HasPrefix(p, "/"):
		return errors.New("absolute path: paths are relative to the image root")
	case strings.HasSuffix(p, "/"):
		return errors.New("trailing slash")
	case strings.ContainsRune(p, 0):
		return errors.New("NUL byte in path")
	}
	for _, elem := range strings.Split(p, "/") {
		switch elem {
		case "":
			return errors.New("empty path element")
		case ".":
			return errors.New(`"." path element`)
		case "..":
			return errors.New(`".." path element escapes the image root`)
		}
	}
	return nil
}

// check reports why e is not a valid entry, if it is not.
func (e Entry) check() error {
	if err := checkPath(e.Path); err != nil {
		return err
	}
	switch e.Kind {
	case File:
		if e.Src == "" {
			return errors.New("kind file needs src")
		}
		if e.Target != "" {
			return errors.New("kind file takes no target")
		}
	case Dir:
		if e.Src != "" || e.Target != "" {
			return errors.New("kind dir takes no src and no target")
		}
	case Symlink:
		if e.Target == "" {
			return errors.New("kind symlink needs target")
		}
		if e.Src != "" {
			return errors.New("kind symlink takes no src")
		}
		if strings.ContainsRune(e.Target, 0) {
			return errors.New("NUL byte in symlink target")
		}
	default:
		return fmt.Errorf("kind %q is not one of file, dir, symlink", e.Kind)
	}
	switch m := e.mode(); {
	case m == AutoMode && e.Kind != File:
		return errors.New("mode -1 (choose from src) is for kind file only")
	case m != AutoMode && (m < 0 || m > 0o7777):
		return fmt.Errorf("mode %d (%#o) is outside 0..07777", m, m)
	}
	if e.UID < 0 || e.UID > MaxID || e.GID < 0 || e.GID > MaxID {
		return fmt.Errorf("owner %d:%d is outside 0..%d", e.UID, e.GID, int64(MaxID))
	}
	return nil
}

// plan validates entries and returns the entries of the tar: duplicates
// merged, implicit parent directories added as 0755 0:0, sorted by path.
func plan(entries []Entry) ([]Entry, error) {
	byPath := make(map[string]Entry, len(entries))
	for i, e := range entries {
		if err := e.check(); err != nil {
			return nil, fmt.Errorf("entry %d (path %q): %w", i, e.Path, err)
		}
		if err := e.chooseMode(); err != nil {
			return nil, fmt.Errorf("entry %d (path %q): %w", i, e.Path, err)
		}
		prev, ok := byPath[e.Path]
		if !ok {
			byPath[e.Path] = e
			continue
		}
		same, err := identical(prev, e)
		if err != nil {
			return nil, fmt.Errorf("path %q declared twice: %w", e.Path, err)
		}
		if !same {
			return nil, fmt.Errorf("path %q declared twice differently: %s and %s", e.Path, prev, e)
		}
	}
	for _, e := range entries { // input order, so the first conflict is reported
		for dir := parent(e.Path); dir != ""; dir = parent(dir) {
			d, ok := byPath[dir]
			if !ok {
				byPath[dir] = Entry{Path: dir, Kind: Dir}
				continue
			}
			if d.Kind != Dir {
				return nil, fmt.Errorf("path %q (%s): parent %q is a %s, not a dir", e.Path, e.Kind, dir, d.Kind)
			}
		}
	}
	out := make([]Entry, 0, len(byPath))
	for _, e := range byPath {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// chooseMode replaces AutoMode by 0755 or 0644, from the owner's execute
// bit of the file src resolves to.
func (e *Entry) chooseMode() error {
	if e.Mode == nil || *e.Mode != AutoMode {
		return nil
	}
	fi, err := os.Stat(e.Src)
	if err != nil {
		return fmt.Errorf("choosing mode: %w", err)
	}
	m := int64(0o644)
	if fi.Mode()&0o100 != 0 {
		m = 0o755
	}
	e.Mode = &m
	return nil
}

func parent(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i]
}

// identical reports whether a and b put the same thing at their path: same
// kind, mode, owner and target, and for files the same src or sources with
// byte-identical contents.
func identical(a, b Entry) (bool, error) {
	if a.Kind != b.Kind || a.mode() != b.mode() || a.UID != b.UID || a.GID != b.GID || a.Target != b.Target {
		return false, nil
	}
	if a.Src == b.Src {
		return true, nil
	}
	return sameContent(a.Src, b.Src)
}

func sameContent(a, b string) (bool, error) {
	fa, err := openRegular(a)
	if err != nil {
		return false, err
	}
	defer fa.Close()
	fb, err := openRegular(b)
	if err != nil {
		return false, err
	}
	defer fb.Close()
	const chunk = 64 << 10
	bufA, bufB := make([]byte, chunk), make([]byte, chunk)
	for {
		na, errA := io.ReadFull(fa, bufA)
		nb, errB := io.ReadFull(fb, bufB)
		if !bytes.Equal(bufA[:na], bufB[:nb]) {
			return false, nil
		}
		endA := errors.Is(errA, io.EOF) || errors.Is(errA, io.ErrUnexpectedEOF)
		endB := errors.Is(errB, io.EOF) || errors.Is(errB, io.ErrUnexpectedEOF)
		switch {
		case errA != nil && !endA:
			return false, fmt.Errorf("reading src %s: %w", a, errA)
		case errB != nil && !endB:
			return false, fmt.Errorf("reading src %s: %w", b, errB)
		case endA || endB:
			return endA == endB, nil
		}
	}
}

// openRegular opens src, following symlinks, and checks that it is a
// regular file. It checks before opening too, since opening a FIFO blocks.
func openRegular(src string) (*os.File, error) {
	fi, err := os.Stat(src)
	if err != nil {
		return nil, fmt.Errorf("opening src: %w", err)
	}
	if err := checkRegular(src, fi); err != nil {
		return nil, err
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, fmt.Errorf("opening src: %w", err)
	}
	if fi, err = f.Stat(); err != nil {
		f.Close()
		return nil, fmt.Errorf("reading src: %w", err)
	}
	if err := checkRegular(src, fi); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func checkRegular(src string, fi os.FileInfo) error {
	switch {
	case fi.IsDir():
		return fmt.Errorf("src %s is a directory: use kind dir for directories, or list its files", src)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("src %s is not a regular file (%s)", src, fi.Mode().Type())
	}
	return nil
}
