package layout

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	distlayout "github.com/rules-distill/rules_distill/tools/pkg/layout"
)

// Command is `distill layout`.
var Command = cli.Command{
	Name:    "layout",
	Summary: "write an OCI image layout directory, hard-linking the layer blobs",
	Usage:   "--image IMAGE.json --config CONFIG.json --manifest MANIFEST.json --blob PATH [--blob PATH ...] --ref-name NAME --output DIR",
	Run:     Run,
}

// Run runs `distill layout` with args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("layout")
	imagePath := fs.String("image", "", "the image descriptor `IMAGE.json`")
	configPath := fs.String("config", "", "the image config `CONFIG.json`")
	manifestPath := fs.String("manifest", "", "the image manifest `MANIFEST.json`")
	var blobs cli.Strings
	fs.Var(&blobs, "blob", "a layer blob `PATH`, repeated in the order of the image descriptor's layers")
	refName := fs.String("ref-name", "", "the org.opencontainers.image.ref.name `NAME` of the image in index.json")
	output := fs.String("output", "", "the layout directory `DIR` to write (absent or empty)")
	// --blob is not required: an image from scratch may have no layer.
	if err := cli.Parse(fs, args, "image", "config", "manifest", "ref-name", "output"); err != nil {
		return err
	}
	img, err := descriptor.ReadImage(*imagePath)
	if err != nil {
		return err
	}
	config, err := os.ReadFile(*configPath)
	if err != nil {
		return fmt.Errorf("reading config: %w", err)
	}
	manifest, err := os.ReadFile(*manifestPath)
	if err != nil {
		return fmt.Errorf("reading manifest: %w", err)
	}
	return distlayout.Write(*output, distlayout.Input{
		Image:    img,
		Config:   config,
		Manifest: manifest,
		Blobs:    blobs,
		RefName:  *refName,
	})
}
