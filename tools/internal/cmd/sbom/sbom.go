package sbom

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/epoch"
	"github.com/rules-distill/rules_distill/tools/pkg/sbom"
)

// Command is `distill sbom`.
var Command = cli.Command{
	Name:    "sbom",
	Summary: "write the SPDX 2.3 JSON SBOM of an image from its layers' contents",
	Usage:   "--image IMAGE.json --name NAME --contents CONTENTS.json [--contents CONTENTS.json ...] [--os OS] [--architecture ARCH] --output SBOM.spdx.json",
	Run:     Run,
}

// Run runs `distill sbom` with args. SOURCE_DATE_EPOCH is the document's
// creation time.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("sbom")
	imagePath := fs.String("image", "", "the image descriptor `IMAGE.json` (manifest digest and layers)")
	name := fs.String("name", "", "the image's `NAME` in the SBOM (its Bazel label)")
	var contents cli.Strings
	fs.Var(&contents, "contents", "a layer's `CONTENTS.json`, repeated in the order of the image's layers")
	osName := fs.String("os", "linux", "the image's `OS`")
	arch := fs.String("architecture", "", "the image's CPU `ARCH`itecture")
	output := fs.String("output", "", "where to write `SBOM.spdx.json`")
	// --contents is not required: an image from scratch may have no layer.
	if err := cli.Parse(fs, args, "image", "name", "output"); err != nil {
		return err
	}
	created, err := epoch.FromEnv()
	if err != nil {
		return err
	}
	desc, err := descriptor.ReadImage(*imagePath)
	if err != nil {
		return err
	}
	if len(contents) != len(desc.Layers) {
		return fmt.Errorf("the image %s has %d layers but %d --contents were given; give one per layer, in order", *imagePath, len(desc.Layers), len(contents))
	}
	img := sbom.Image{
		Name:         *name,
		Digest:       desc.Manifest.Digest,
		OS:           *osName,
		Architecture: *arch,
		Created:      created,
	}
	for i, path := range contents {
		c, err := sbom.ReadContents(path)
		if err != nil {
			return err
		}
		if c.Layer != desc.Layers[i].Digest {
			return fmt.Errorf("%s is the contents of layer %s, but layer %d of the image is %s; give the contents in the order of the image's layers", path, c.Layer, i+1, desc.Layers[i].Digest)
		}
		img.Layers = append(img.Layers, c)
	}
	doc, err := sbom.Document(img)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := sbom.Write(&buf, doc); err != nil {
		return err
	}
	return atomicfile.WriteFile(*output, buf.Bytes())
}
