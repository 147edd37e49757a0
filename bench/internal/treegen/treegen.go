package treegen

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-distill/rules_distill/tools/pkg/layer"
)

// Options say what tree to write.
type Options struct {
	// Size is the total size of the tree's files in bytes.
	Size int64
	// Seed, if not empty, is a directory copied first under seed/: its files in path order,
	// while they fit in Size; its directories and symlinks all.
	Seed string
}

// Tree is a written tree.
type Tree struct {
	// Entries list every path of the tree for `distill layer` (ENTRIES.json), Src absolute.
	Entries []layer.Entry
	// Size is the total size of the tree's files in bytes.
	Size int64
}

// Write writes the tree opts describe into root, which must not exist.
func Write(root string, opts Options) (Tree, error) {
	if opts.Size <= 0 {
		return Tree{}, fmt.Errorf("tree size %d: want more than 0 bytes", opts.Size)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return Tree{}, err
	}
	if err := os.Mkdir(abs, 0o755); err != nil {
		return Tree{}, fmt.Errorf("creating the tree: %w (remove it first)", err)
	}
	w := &writer{root: abs, budget: opts.Size}
	if opts.Seed != "" {
		if err := w.copySeed(opts.Seed); err != nil {
			return Tree{}, fmt.Errorf("copying seed %s: %w", opts.Seed, err)
		}
	}
	if err := w.generate(); err != nil {
		return Tree{}, fmt.Errorf("generating files in %s: %w", abs, err)
	}
	return Tree{Entries: w.entries, Size: w.size}, nil
}

type writer struct {
	root    string
	budget  int64
	size    int64
	entries []layer.Entry
}

func (w *writer) add(e layer.Entry) { w.entries = append(w.entries, e) }

func mode(m int64) *int64 { return &m }

// copySeed copies the files of dir that fit the budget, in path order.
func (w *writer) copySeed(dir string) error {
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.Join("seed", rel)
		dst := filepath.Join(w.root, rel)
		switch {
		case d.IsDir():
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
			w.add(layer.Entry{Path: rel, Kind: layer.Dir})
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			if err := os.Symlink(target, dst); err != nil {
				return err
			}
			w.add(layer.Entry{Path: rel, Kind: layer.Symlink, Target: target})
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			if w.size+info.Size() > w.budget {
				return nil
			}
			if err := copyFile(path, dst, info.Mode().Perm()); err != nil {
				return err
			}
			w.size += info.Size()
			w.add(layer.Entry{Path: rel, Kind: layer.File, Src: dst, Mode: mode(int64(info.Mode().Perm()))})
		}
		return nil
	})
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

var words = strings.Fields(`the of and to in is that for it as with was on be by this are from or
have an they which one you were her all she there would their we him been has when who will more
no if out so said what up its about into than them can only other new some could time these two
may then do first any my now such like our over man me even most made after also did many before
must through back years where much your way well down should because each just those people how
too little state good very make world still own see men work long get here between both life being
under never day same another know while last might us great old year off come since against go
came right used take three layer image digest compress stream bytes block level config manifest`)

// kinds are the generated file kinds, by turns.
var kinds = [...]string{"txt", "bin", "txt", "obj"}

// generate writes files until the budget is spent.
func (w *writer) generate() error {
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 1<<20)
	for i := 0; w.size < w.budget; i++ {
		dir := fmt.Sprintf("gen/d%03d", i/64)
		if i%64 == 0 {
			if err := os.MkdirAll(filepath.Join(w.root, dir), 0o755); err != nil {
				return err
			}
			w.add(layer.Entry{Path: dir, Kind: layer.Dir})
		}
		// Log-uniform from 1 KiB to 8 MiB.
		size := int64(1024) << rng.IntN(13)
		size = min(size+rng.Int64N(size), w.budget-w.size)
		kind := kinds[i%len(kinds)]
		rel := fmt.Sprintf("%s/f%06d.%s", dir, i, kind)
		dst := filepath.Join(w.root, rel)
		if err := writeFile(dst, size, func(b []byte) { fill(rng, kind, b) }, buf); err != nil {
			return err
		}
		w.size += size
		w.add(layer.Entry{Path: rel, Kind: layer.File, Src: dst, Mode: mode(0o644)})
	}
	return nil
}

func writeFile(path string, size int64, fill func([]byte), buf []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, len(buf))
	for left := size; left > 0; {
		n := min(left, int64(len(buf)))
		fill(buf[:n])
		if _, err := bw.Write(buf[:n]); err != nil {
			f.Close()
			return err
		}
		left -= n
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// fill fills b with content of the kind: "txt" words, "bin" random bytes, "obj" sparse records.
func fill(rng *rand.Rand, kind string, b []byte) {
	switch kind {
	case "bin":
		for i := range b {
			if i%8 == 0 {
				v := rng.Uint64()
				for j := i; j < min(i+8, len(b)); j++ {
					b[j] = byte(v >> (8 * (j - i)))
				}
			}
		}
	case "obj":
		clear(b)
		for i := 0; i < len(b); i += 64 {
			for j := i; j < min(i+16, len(b)); j++ {
				b[j] = byte(rng.Uint32())
			}
		}
	default:
		for i := 0; i < len(b); {
			i += copy(b[i:], words[rng.IntN(len(words))])
			if i < len(b) {
				b[i] = ' '
				if rng.IntN(12) == 0 {
					b[i] = '\n'
				}
				i++
			}
		}
	}
}
