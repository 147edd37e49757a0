package cacerts

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
	"github.com/rules-distill/rules_distill/tools/pkg/cacerts"
	"github.com/rules-distill/rules_distill/tools/pkg/deb"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/epoch"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
)

// Command is `distill cacerts`.
var Command = cli.Command{
	Name:    "cacerts",
	Summary: "write the layer of the CA bundle (and Java cacerts) made from the ca-certificates package",
	Usage:   "--deb ca-certificates.deb --output BLOB --descriptor DESC.json [--java-cacerts] [--compression gzip|zstd|none] [--level N]",
	Run:     Run,
}

// Run runs `distill cacerts` with args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("cacerts")
	debPath := fs.String("deb", "", "the ca-certificates package `PKG.deb`")
	output := fs.String("output", "", "where to write the layer `BLOB`")
	fs.StringVar(output, "output-layer", "", "the same as --output `BLOB`")
	descPath := fs.String("descriptor", "", "where to write the layer descriptor `DESC.json`")
	javaCacerts := fs.Bool("java-cacerts", false, "also write "+cacerts.KeystorePath+" (JKS, password \""+cacerts.KeystorePassword+"\")")
	compression := fs.String("compression", "gzip", "gzip, zstd or none")
	level := fs.Int("level", 0, "compression level `N` (gzip 0-9, default 6; zstd 1-22, default 3)")
	if err := cli.Parse(fs, args, "deb", "descriptor"); err != nil {
		return err
	}
	if !cli.IsSet(fs, "output") && !cli.IsSet(fs, "output-layer") {
		return cli.Usagef(fs, "missing required flag --output")
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
	desc, err := cacerts.Write(w, pkg, cacerts.Options{
		Layer:    layer.Options{Compression: c, Level: *level, ModTime: mtime},
		Keystore: *javaCacerts,
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
