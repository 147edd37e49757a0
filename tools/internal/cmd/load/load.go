package load

import (
	"context"
	"io"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	distload "github.com/rules-distill/rules_distill/tools/pkg/load"
)

// Command is `distill load`.
var Command = cli.Command{
	Name:    "load",
	Summary: "load an image tarball into podman or docker",
	Usage:   "--tarball IMAGE.tar [--runtime auto|podman|docker]",
	Run:     Run,
}

// Run runs `distill load` with args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("load")
	tarball := fs.String("tarball", "", "the docker-archive `IMAGE.tar` to load")
	runtime := fs.String("runtime", "auto", "auto (podman, else docker), podman or docker")
	if err := cli.Parse(fs, args, "tarball"); err != nil {
		return err
	}
	switch *runtime {
	case "auto", "podman", "docker":
	default:
		return cli.Usagef(fs, "--runtime %q: want auto, podman or docker", *runtime)
	}
	return distload.Load(ctx, *runtime, *tarball, stdout, stderr)
}
