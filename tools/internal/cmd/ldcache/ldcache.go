package ldcache

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/internal/layerout"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
	"github.com/rules-distill/rules_distill/tools/pkg/ldcache"
)

// Path and Mode are those of the cache in the layer (owner 0:0).
const (
	Path = "etc/ld.so.cache"
	Mode = 0o644
)

// Generator is the generator string written into the cache.
const Generator = "rules_distill distill ld-so-cache"

// Command is `distill ld-so-cache`.
var Command = cli.Command{
	Name:    "ld-so-cache",
	Summary: "write the layer of /etc/ld.so.cache for the libraries in an image's layers",
	Usage:   "--layer BLOB [--layer BLOB]... --architecture amd64|arm64 --output BLOB --descriptor DESC.json [--compression gzip|zstd|none] [--level N]",
	Run:     Run,
}

// Run runs `distill ld-so-cache` with args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("ld-so-cache")
	var blobs cli.Strings
	fs.Var(&blobs, "layer", "a layer `BLOB` of the image (gzip, zstd or plain tar), repeated in image order")
	archName := fs.String("architecture", "amd64", "the image's architecture: "+archList())
	out := layerout.Add(fs)
	if err := cli.Parse(fs, args, append([]string{"layer"}, layerout.Required...)...); err != nil {
		return err
	}
	arch, ok := ldcache.Archs[*archName]
	if !ok {
		return cli.Usagef(fs, "--architecture: unknown architecture %q: want %s", *archName, archList())
	}
	opts, err := out.Options()
	if err != nil {
		return err
	}
	tree := ldcache.NewTree()
	for _, b := range blobs {
		if err := addLayer(tree, b); err != nil {
			return err
		}
	}
	cache, err := ldcache.Marshal(tree.Entries(arch), Generator)
	if err != nil {
		return err
	}
	return out.Write(func(w io.Writer) (descriptor.Layer, error) {
		return writeLayer(w, cache, opts)
	})
}

func archList() string {
	var names []string
	for n := range ldcache.Archs {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func addLayer(tree *ldcache.Tree, blob string) error {
	f, err := os.Open(blob)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := tree.AddLayer(f); err != nil {
		return fmt.Errorf("layer %s: %w", blob, err)
	}
	return nil
}

func writeLayer(w io.Writer, cache []byte, opts layer.Options) (descriptor.Layer, error) {
	s, err := layer.NewStream(w, opts)
	if err != nil {
		return descriptor.Layer{}, err
	}
	if err := s.Add(layer.Header{Path: Path, Kind: layer.File, Mode: Mode, Size: int64(len(cache))}, bytes.NewReader(cache)); err != nil {
		s.Close()
		return descriptor.Layer{}, err
	}
	return s.Close()
}
