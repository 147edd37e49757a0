package layer

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/epoch"
	distlayer "github.com/rules-distill/rules_distill/tools/pkg/layer"
)

// Command is `distill layer`.
var Command = cli.Command{
	Name:    "layer",
	Summary: "write a layer blob and its descriptor from ENTRIES.json",
	Usage:   "--entries ENTRIES.json --output BLOB --descriptor DESC.json [--compression gzip|zstd|none] [--level N]",
	Run:     Run,
}

// Run runs `distill layer` with args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("layer")
	entriesPath := fs.String("entries", "", "`ENTRIES.json` listing the layer's files, directories and symlinks")
	output := fs.String("output", "", "where to write the layer `BLOB`")
	descPath := fs.String("descriptor", "", "where to write the layer descriptor `DESC.json`")
	compression := fs.String("compression", "gzip", "gzip, zstd or none")
	level := fs.Int("level", 0, "compression level `N` (gzip 0-9, default 6; zstd 1-22, default 3)")
	if err := cli.Parse(fs, args, "entries", "output", "descriptor"); err != nil {
		return err
	}
	c, err := distlayer.ParseCompression(*compression)
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
	entries, err := distlayer.ReadEntries(*entriesPath)
	if err != nil {
		return err
	}

	blob, err := atomicfile.Create(*output)
	if err != nil {
		return err
	}
	defer blob.Abort()
	w := bufio.NewWriterSize(blob, 1<<20)
	desc, err := distlayer.Write(w, entries, distlayer.Options{Compression: c, Level: *level, ModTime: mtime})
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
