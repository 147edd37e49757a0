package imagediff

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/rules-distill/rules_distill/tools/pkg/inspect"
)

// WriteText writes d for people: a table each for packages, files, config,
// and a line for layers. maxFiles bounds the rows of the file table
// (changed first, then removed, then added); 0 lists them all.
func (d *Diff) WriteText(w io.Writer, maxFiles int) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "--- a: %s\n+++ b: %s\n", describe(d.A), describe(d.B))
	if d.Identical {
		fmt.Fprintln(bw, "\nno differences: same packages, files, config and layers")
		return bw.Flush()
	}

	p := d.Packages
	fmt.Fprintf(bw, "\npackages: %d added, %d removed, %d upgraded, %d downgraded, %d changed\n",
		len(p.Added), len(p.Removed), len(p.Upgraded), len(p.Downgraded), len(p.Changed))
	var rows [][]string
	for _, x := range p.Added {
		rows = append(rows, []string{"added", x.Name, "", x.Version, signed(x.Size)})
	}
	for _, x := range p.Removed {
		rows = append(rows, []string{"removed", x.Name, x.Version, "", signed(-x.Size)})
	}
	for _, set := range []struct {
		what string
		cs   []PackageChange
	}{{"upgraded", p.Upgraded}, {"downgraded", p.Downgraded}, {"changed", p.Changed}} {
		for _, x := range set.cs {
			rows = append(rows, []string{set.what, x.Name, x.A, x.B, signed(x.SizeB - x.SizeA)})
		}
	}
	if len(rows) > 0 {
		if err := inspect.WriteTable(bw, []string{"CHANGE", "PACKAGE", "A", "B", "SIZE"}, "llllr", rows); err != nil {
			return err
		}
	}

	f := d.Files
	fmt.Fprintf(bw, "\nfiles: %d added, %d removed, %d changed\n", len(f.Added), len(f.Removed), len(f.Changed))
	rows = nil
	for _, c := range f.Changed {
		rows = append(rows, []string{"changed", c.Path, strings.Join(c.Changes, ", "), owner(c.B.Package)})
	}
	for _, x := range f.Removed {
		rows = append(rows, []string{"removed", x.Path, what(x.File), owner(x.Package)})
	}
	for _, x := range f.Added {
		rows = append(rows, []string{"added", x.Path, what(x.File), owner(x.Package)})
	}
	more := 0
	if maxFiles > 0 && len(rows) > maxFiles {
		more, rows = len(rows)-maxFiles, rows[:maxFiles]
	}
	if len(rows) > 0 {
		if err := inspect.WriteTable(bw, []string{"CHANGE", "PATH", "WHAT", "PACKAGE"}, "llll", rows); err != nil {
			return err
		}
	}
	if more > 0 {
		fmt.Fprintf(bw, "... and %d more (--max-files 0 lists all)\n", more)
	}

	fmt.Fprintf(bw, "\nconfig: %d changed\n", len(d.Config))
	rows = nil
	for _, c := range d.Config {
		rows = append(rows, []string{c.Field, value(c.A), value(c.B)})
	}
	if len(rows) > 0 {
		if err := inspect.WriteTable(bw, []string{"FIELD", "A", "B"}, "lll", rows); err != nil {
			return err
		}
	}

	l := d.Layers
	fmt.Fprintf(bw, "\nlayers: %d -> %d (%d of b's in a), %s -> %s compressed, %s -> %s uncompressed\n",
		l.A, l.B, l.Shared, inspect.HumanSize(l.CompressedA), inspect.HumanSize(l.CompressedB),
		inspect.HumanSize(l.UncompressedA), inspect.HumanSize(l.UncompressedB))
	return bw.Flush()
}

func describe(s Side) string {
	out := s.Ref + " (" + s.Kind + ")"
	if s.Digest != "" {
		return out + " " + s.Digest
	}
	return out + " config " + s.ConfigDigest
}

// signed writes a size change: "+18.1 MB", "-875 B", "0 B".
func signed(n int64) string {
	switch {
	case n > 0:
		return "+" + inspect.HumanSize(n)
	case n < 0:
		return "-" + inspect.HumanSize(-n)
	}
	return "0 B"
}

// what describes a file for the file table: "file 6.8 MB", "symlink -> x".
func what(f inspect.File) string {
	switch f.Type {
	case inspect.TypeFile:
		return "file " + inspect.HumanSize(f.Size)
	case inspect.TypeSymlink:
		return "symlink -> " + f.Target
	}
	return string(f.Type)
}

func owner(pkg string) string {
	if pkg == "" {
		return "-"
	}
	return pkg
}

func value(v *string) string {
	if v == nil {
		return "(none)"
	}
	return *v
}
