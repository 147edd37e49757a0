package layer

import (
	"context"
	"github.com/rules-distill/rules_distill/tools/internal/layerout"
	"io"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
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
	out := layerout.Add(fs)
	if err := cli.Parse(fs, args, append([]string{"entries"}, layerout.Required...)...); err != nil {
		return err
	}
	opts, err := out.Options()
	if err != nil {
		return err
	}
	entries, err := distlayer.ReadEntries(*entriesPath)
	if err != nil {
		return err
	}
	return out.Write(func(w io.Writer) (descriptor.Layer, error) {
		return distlayer.Write(w, entries, opts)
	})
}
