package tarball

import (
	"context"
	"io"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	disttarball "github.com/rules-distill/rules_distill/tools/pkg/tarball"
)

// Command is `distill tarball`.
var Command = cli.Command{
	Name:    "tarball",
	Summary: "write a docker-archive tarball for `docker load` and `podman load` from an OCI layout",
	Usage:   "--layout DIR --tag REPO:TAG [--tag REPO:TAG]... --output IMAGE.tar",
	Run:     Run,
}

// Run runs `distill tarball` with args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("tarball")
	layoutDir := fs.String("layout", "", "the OCI image layout `DIR` holding one image")
	var tags cli.Strings
	fs.Var(&tags, "tag", "a `REPO:TAG` the loaded image gets, repeatable")
	output := fs.String("output", "", "where to write the tarball `IMAGE.tar`")
	if err := cli.Parse(fs, args, "layout", "tag", "output"); err != nil {
		return err
	}
	return disttarball.Write(*output, *layoutDir, tags)
}
