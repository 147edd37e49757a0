package inspect

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/imagesrc"
	distinspect "github.com/rules-distill/rules_distill/tools/pkg/inspect"
)

// Command is `distill inspect`.
var Command = cli.Command{
	Name:    "inspect",
	Summary: "show an image's layers, packages and their sizes, largest files and config",
	Usage:   "IMAGE [--json] [--files] [--top N] [--platform OS/ARCH[/VARIANT]] [--insecure]",
	Run:     Run,
}

// ImageHelp describes the IMAGE argument, for usage messages.
const ImageHelp = "IMAGE is an OCI layout directory, a docker-archive or OCI archive tarball, or a registry reference (HOST/REPO:TAG, HOST/REPO@sha256:...); a prefix oci:, oci-archive:, docker-archive: or registry: forces the kind"

// Run runs `distill inspect` with args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("inspect")
	asJSON := fs.Bool("json", false, "print JSON (schema: docs/inspect.md) instead of tables")
	files := fs.Bool("files", false, "with --json, also list every path of the flattened filesystem")
	top := fs.Int("top", 10, "how many of the largest files to list (`N` >= 1)")
	src := AddSourceFlags(fs)
	pos, err := ParseArgs(fs, args, "IMAGE")
	if err != nil {
		return err
	}
	if *files && !*asJSON {
		return cli.Usagef(fs, "--files lists every path in the JSON only: add --json")
	}
	if *top < 1 {
		return cli.Usagef(fs, "--top %d: give a count of 1 or more", *top)
	}
	opts, err := src.Options(fs)
	if err != nil {
		return err
	}
	img, err := Load(ctx, pos[0], opts, *top)
	if err != nil {
		return err
	}
	if !*asJSON {
		return img.WriteText(stdout)
	}
	if !*files {
		img.Files = nil
	}
	return WriteJSON(stdout, img)
}

// WriteJSON writes v as indented JSON and a newline.
func WriteJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Load opens the image ref and analyzes it, listing its top largest files.
func Load(ctx context.Context, ref string, opts imagesrc.Options, top int) (*distinspect.Image, error) {
	src, err := imagesrc.Open(ctx, ref, opts)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	s := distinspect.Source{Ref: src.Ref, Kind: string(src.Kind)}
	if src.Digest != (v1.Hash{}) {
		s.Digest = src.Digest.String()
	}
	img, err := distinspect.Analyze(ctx, src.Image, s, distinspect.Options{Top: top})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", src.Ref, err)
	}
	return img, nil
}

// SourceFlags are the flags that say how to open an image.
type SourceFlags struct {
	platform *string
	insecure *bool
}

// AddSourceFlags adds --platform and --insecure to fs.
func AddSourceFlags(fs *flag.FlagSet) *SourceFlags {
	return &SourceFlags{
		platform: fs.String("platform", "", "pick the image for `OS/ARCH[/VARIANT]` (e.g. linux/arm64) when the reference is an index of several"),
		insecure: fs.Bool("insecure", false, "allow plain HTTP and unverified TLS for the registry (127.0.0.1 and localhost always use plain HTTP)"),
	}
}

// Options returns the imagesrc options the flags set.
func (s *SourceFlags) Options(fs *flag.FlagSet) (imagesrc.Options, error) {
	opts := imagesrc.Options{Insecure: *s.insecure}
	if *s.platform != "" {
		p, err := v1.ParsePlatform(*s.platform)
		if err != nil || p.OS == "" || p.Architecture == "" {
			return opts, cli.Usagef(fs, "--platform %q: write OS/ARCH or OS/ARCH/VARIANT, e.g. linux/arm64", *s.platform)
		}
		opts.Platform = p
	}
	return opts, nil
}

// ParseArgs parses args into fs, allowing flags before, between and after
// the positional arguments, and returns those, which must be as many as
// names (used in the error message).
func ParseArgs(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, cli.Usagef(fs, "%w", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			pos = append(pos, rest...) // after "--" everything is an argument
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if len(pos) != len(names) {
		return nil, cli.Usagef(fs, "want %d argument(s), %s, got %d; %s", len(names), strings.Join(names, " "), len(pos), ImageHelp)
	}
	return pos, nil
}
