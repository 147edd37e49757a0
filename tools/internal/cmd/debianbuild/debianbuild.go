package debianbuild

import (
	"context"
	"io"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
	"github.com/rules-distill/rules_distill/tools/pkg/debbuild"
	"github.com/rules-distill/rules_distill/tools/pkg/lock"
)

// Command is `distill debian-build`.
var Command = cli.Command{
	Name:    "debian-build",
	Summary: "write the BUILD file of a debian_packages repository from a lock",
	Usage:   "--lock packages.lock.json --defs LABEL --output BUILD.bazel [--source LABEL]",
	Run:     Run,
}

// Run runs `distill debian-build` with args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("debian-build")
	lockPath := fs.String("lock", "", "the `packages.lock.json` to read")
	defs := fs.String("defs", "@rules_distill//rules:defs.bzl", "`LABEL` of rules_distill's defs.bzl as the generated repository sees it")
	output := fs.String("output", "", "where to write `BUILD.bazel`")
	source := fs.String("source", "", "how the BUILD file's header names the lock (default: --lock)")
	if err := cli.Parse(fs, args, "lock", "output"); err != nil {
		return err
	}
	l, err := lock.Read(*lockPath)
	if err != nil {
		return err
	}
	pkgs := make([]debbuild.Package, len(l.Packages))
	for i, p := range l.Packages {
		pkgs[i] = debbuild.Package{
			Name:            p.Name,
			Version:         p.Version,
			Architecture:    p.Architecture,
			ForArchitecture: p.ForArchitecture,
			Filename:        p.Filename,
			Depends:         p.Depends,
			MergedUsr:       p.MergedUsr,
		}
	}
	if *source == "" {
		*source = *lockPath
	}
	data, err := debbuild.Generate(pkgs, *defs, *source)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(*output, data)
}
