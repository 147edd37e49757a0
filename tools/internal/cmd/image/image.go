package image

import (
	"context"
	"io"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/epoch"
	distimage "github.com/rules-distill/rules_distill/tools/pkg/image"
)

// Command is `distill image`.
var Command = cli.Command{
	Name:    "image",
	Summary: "write an image config, manifest and descriptor from SPEC.json (reads no layer blob)",
	Usage:   "--spec SPEC.json --config-out CONFIG.json --manifest-out MANIFEST.json --descriptor-out IMAGE.json --digest-out DIGEST",
	Run:     Run,
}

// Run runs `distill image` with args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("image")
	specPath := fs.String("spec", "", "`SPEC.json` naming the base, the layer descriptors and the settings")
	configOut := fs.String("config-out", "", "where to write the image config `CONFIG.json`")
	manifestOut := fs.String("manifest-out", "", "where to write the image manifest `MANIFEST.json`")
	descOut := fs.String("descriptor-out", "", "where to write the image descriptor `IMAGE.json`")
	digestOut := fs.String("digest-out", "", "where to write the manifest digest `DIGEST` (sha256:<hex> and a newline)")
	if err := cli.Parse(fs, args, "spec", "config-out", "manifest-out", "descriptor-out", "digest-out"); err != nil {
		return err
	}
	created, err := epoch.FromEnv()
	if err != nil {
		return err
	}
	spec, err := distimage.ReadSpec(*specPath)
	if err != nil {
		return err
	}
	base, layers, err := distimage.Load(spec)
	if err != nil {
		return err
	}
	img, err := distimage.Build(spec, base, layers, created)
	if err != nil {
		return err
	}
	desc, err := descriptor.Marshal(img.Descriptor)
	if err != nil {
		return err
	}
	var outs []atomicfile.Output
	defer func() {
		for _, o := range outs {
			o.Abort()
		}
	}()
	for _, o := range []struct {
		path string
		data []byte
	}{
		{*configOut, img.Config},
		{*manifestOut, img.Manifest},
		{*descOut, desc},
		{*digestOut, []byte(img.Descriptor.Manifest.Digest.String() + "\n")},
	} {
		f, err := atomicfile.Bytes(o.path, o.data)
		if err != nil {
			return err
		}
		outs = append(outs, f)
	}
	return atomicfile.Commit(outs...)
}
