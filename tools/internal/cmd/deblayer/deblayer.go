package deblayer

import (
	"context"
	"fmt"
	"github.com/rules-distill/rules_distill/tools/internal/layerout"
	"io"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/deb"
	"github.com/rules-distill/rules_distill/tools/pkg/deblayer"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
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
	out := layerout.Add(fs)
	keepDocs := fs.Bool("keep-docs", false, "keep usr/share/{doc,man,info,lintian,doc-base} (default: only usr/share/doc/<pkg>/copyright)")
	mergedUsr := fs.Bool("merged-usr", false, "move bin/, sbin/, lib*/ below usr/ and drop those top-level directories (Debian 13 and later)")
	var include, exclude cli.Strings
	fs.Var(&include, "include", "keep only entries whose path matches `GLOB` (repeatable; ** spans path elements, * stays within one), their parent directories and the status.d files")
	fs.Var(&exclude, "exclude", "drop entries whose path matches `GLOB` (repeatable; wins over --include)")
	if err := cli.Parse(fs, args, append([]string{"deb"}, layerout.Required...)...); err != nil {
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
	opts, err := out.Options()
	if err != nil {
		return err
	}
	pkg, f, err := deb.OpenFile(*debPath)
	if err != nil {
		return err
	}
	defer f.Close()
	return out.Write(func(w io.Writer) (descriptor.Layer, error) {
		return deblayer.Write(w, pkg, deblayer.Options{
			Layer:     opts,
			KeepDocs:  *keepDocs,
			MergedUsr: *mergedUsr,
			Include:   include,
			Exclude:   exclude,
			Note:      func(msg string) { fmt.Fprintf(stderr, "distill deb-layer: note: %s\n", msg) },
		})
	})
}
