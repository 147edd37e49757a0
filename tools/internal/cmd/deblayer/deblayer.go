package deblayer

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
	"github.com/rules-distill/rules_distill/tools/pkg/deb"
	"github.com/rules-distill/rules_distill/tools/pkg/deblayer"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/epoch"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
)

// Command is `distill deb-layer`.
var Command = cli.Command{
	Name:    "deb-layer",
	Summary: "write a layer blob and its descriptor from a Debian package (.deb)",
	Usage:   "--deb PKG.deb --output BLOB --descriptor DESC.json [--compression gzip|zstd|none] [--level N] [--keep-docs] [--merged-usr] [--include GLOB]... [--exclude GLOB]...",
	Run:     Run,
}

// Run runs `distill deb-layer` with args. setuid and setgid files are
// reported on stderr, one line each.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("deb-layer")
	debPath := fs.String("deb", "", "the Debian package `PKG.deb`")
	output := fs.String("output", "", "where to write the layer `BLOB`")
	descPath := fs.String("descriptor", "", "where to write the layer descriptor `DESC.json`")
	compression := fs.String("compression", "gzip", "gzip, zstd or none")
	level := fs.Int("level", 0, "compression level `N` (gzip 0-9, default 6; zstd 1-22, default 3)")
	keepDocs := fs.Bool("keep-docs", false, "keep usr/share/{doc,man,info,lintian,doc-base} (default: only usr/share/doc/<pkg>/copyright)")
	mergedUsr := fs.Bool("merged-usr", false, "move bin/, sbin/, lib*/ below usr/ and drop those top-level directories (Debian 13 and later)")
	var include, exclude cli.Strings
	fs.Var(&include, "include", "keep only entries whose path matches `GLOB` (repeatable; ** spans path elements, * stays within one), their parent directories and the status.d files")
	fs.Var(&exclude, "exclude", "drop entries whose path matches `GLOB` (repeatable; wins over --include)")
	if err := cli.Parse(fs, args, "deb", "output", "descriptor"); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		ps   []string
	}{{"include", include}, {"exclude", exclude}} {
		for _, p := range f.ps {
			if err := deblayer.CheckPattern(p); err != nil {
				return cli.Usagef(fs, "--%s: %v", f.name, err)
			}
		}
	}
	c, err := layer.ParseCompression(*compression)
	if err != nil {
		return cli.Usagef(fs, "--compression: %v", err)
	}
	if !cli.IsSet(fs, "level") {
		*level = c.DefaultLevel()
	}
	if err := c.CheckLevel(*level); err != nil {
		return cli.Usagef(fs, "--level: %v", err)
	}
	mtime, err := epoch.FromEnv()
	if err != nil {
		return err
	}

	f, err := os.Open(*debPath)
	if err != nil {
		return fmt.Errorf("opening package: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("reading package: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("package %s is not a regular file (%s)", *debPath, fi.Mode().Type())
	}
	pkg, err := deb.Open(f, fi.Size())
	if err != nil {
		return fmt.Errorf("%s: %w", *debPath, err)
	}

	blob, err := atomicfile.Create(*output)
	if err != nil {
		return err
	}
	defer blob.Abort()
	w := bufio.NewWriterSize(blob, 1<<20)
	desc, err := deblayer.Write(w, pkg, deblayer.Options{
		Layer:     layer.Options{Compression: c, Level: *level, ModTime: mtime},
		KeepDocs:  *keepDocs,
		MergedUsr: *mergedUsr,
		Include:   include,
		Exclude:   exclude,
		Note:      func(msg string) { fmt.Fprintf(stderr, "distill deb-layer: note: %s\n", msg) },
	})
	if err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", *output, err)
	}
	data, err := descriptor.Marshal(desc)
	if err != nil {
		return err
	}
	descFile, err := atomicfile.Bytes(*descPath, data)
	if err != nil {
		return err
	}
	defer descFile.Abort()
	return atomicfile.Commit(blob, descFile)
}
