package layer

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/internal/layerout"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	distlayer "github.com/rules-distill/rules_distill/tools/pkg/layer"
	"github.com/rules-distill/rules_distill/tools/pkg/sbom"
)

// Command is `distill layer`.
var Command = cli.Command{
	Name:    "layer",
	Summary: "write a layer blob and its descriptor from ENTRIES.json",
	Usage:   "--entries ENTRIES.json --output BLOB --descriptor DESC.json [--contents CONTENTS.json] [--compression gzip|zstd|none] [--level N]",
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
	if out.WantContents() {
		if out.Contents.OSRelease, err = osRelease(entries); err != nil {
			return err
		}
	}
	return out.Write(func(w io.Writer) (descriptor.Layer, error) {
		return distlayer.Write(w, entries, opts)
	})
}

// maxOSRelease bounds the os-release file read for the SBOM.
const maxOSRelease = 64 << 10

// osRelease parses the os-release file among entries, if there is one
// (usr/lib/os-release wins over etc/os-release).
func osRelease(entries []distlayer.Entry) (*sbom.OSRelease, error) {
	for _, p := range sbom.OSReleasePaths {
		i := slices.IndexFunc(entries, func(e distlayer.Entry) bool { return e.Path == p && e.Kind == distlayer.File })
		if i < 0 {
			continue
		}
		f, err := os.Open(entries[i].Src)
		if err != nil {
			return nil, fmt.Errorf("reading os-release for the SBOM: %w", err)
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxOSRelease))
		if err != nil {
			return nil, fmt.Errorf("reading os-release for the SBOM: %w", err)
		}
		return sbom.ParseOSRelease(data), nil
	}
	return nil, nil
}
