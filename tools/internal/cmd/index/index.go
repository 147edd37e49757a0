package index

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
	distindex "github.com/rules-distill/rules_distill/tools/pkg/index"
)

// Command is `distill index`.
var Command = cli.Command{
	Name:    "index",
	Summary: "write an OCI image index over per-platform image layouts, or an OCI archive of one",
	Usage: "--image OS/ARCH[/VARIANT]=LAYOUT [--image ...] --ref-name NAME --output DIR [--index-out FILE] [--digest-out FILE]\n" +
		"       distill index --archive DIR --output FILE.tar",
	Run: Run,
}

// Run runs `distill index` with args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("index")
	var images cli.Strings
	fs.Var(&images, "image", "`PLATFORM=LAYOUT`: an image's OCI layout directory and its platform (os/architecture[/variant], e.g. linux/arm64/v8), repeated in index order")
	refName := fs.String("ref-name", "", "the org.opencontainers.image.ref.name `NAME` of the index in index.json")
	output := fs.String("output", "", "the index layout `DIR` to write (absent or empty); with --archive, the OCI archive FILE")
	indexOut := fs.String("index-out", "", "where to write the image index manifest blob as `FILE`")
	digestOut := fs.String("digest-out", "", "where to write the index digest (sha256:<hex> and a newline) as `FILE`")
	archive := fs.String("archive", "", "the index layout `DIR` to tar into --output as an OCI archive (instead of writing an index)")
	if err := cli.Parse(fs, args, "output"); err != nil {
		return err
	}
	if *archive != "" {
		if len(images) > 0 || *refName != "" || *indexOut != "" || *digestOut != "" {
			return cli.Usagef(fs, "--archive takes only --output: it tars an index layout written before")
		}
		return distindex.WriteArchive(*output, *archive)
	}
	if len(images) == 0 || *refName == "" {
		return cli.Usagef(fs, "missing --image or --ref-name: give each image as --image PLATFORM=LAYOUT and the index a --ref-name")
	}
	in := distindex.Input{RefName: *refName}
	for _, arg := range images {
		platform, dir, ok := strings.Cut(arg, "=")
		if !ok || dir == "" {
			return cli.Usagef(fs, "--image %q: want PLATFORM=LAYOUT, e.g. linux/arm64/v8=bazel-bin/app/arm64_image", arg)
		}
		p, err := distindex.ParsePlatform(platform)
		if err != nil {
			return cli.Usagef(fs, "--image %q: %v", arg, err)
		}
		in.Images = append(in.Images, distindex.Image{Platform: p, Layout: dir})
	}
	// Every output is staged, then all are renamed into place: all or none.
	res, dir, err := distindex.Stage(*output, in)
	if err != nil {
		return fmt.Errorf("writing index %s: %w", *output, err)
	}
	outs := []atomicfile.Output{dir}
	defer func() {
		for _, o := range outs {
			o.Abort()
		}
	}()
	for _, f := range []struct{ path, data string }{
		{*indexOut, string(res.Index)},
		{*digestOut, res.Descriptor.Digest.String() + "\n"},
	} {
		if f.path == "" {
			continue
		}
		o, err := atomicfile.Bytes(f.path, []byte(f.data))
		if err != nil {
			return err
		}
		outs = append(outs, o)
	}
	return atomicfile.Commit(outs...)
}
