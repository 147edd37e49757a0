package push

import (
	"context"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/logs"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
	distpush "github.com/rules-distill/rules_distill/tools/pkg/push"
)

// Command is `distill push`.
var Command = cli.Command{
	Name:    "push",
	Summary: "push the image of an OCI layout to a registry and print HOST/REPO@sha256:...",
	Usage:   "--layout DIR --repository HOST/REPO [--tag TAG]... [--digest-file FILE] [--attempts N] [--retry-wait DURATION]",
	Run:     Run,
}

// Options are the push settings Run uses; tests shorten the backoff.
var Options distpush.Options

// Run runs `distill push` with args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("push")
	layoutDir := fs.String("layout", "", "the OCI image layout `DIR` holding one image")
	repository := fs.String("repository", "", "the `HOST/REPO` to push to")
	var tags cli.Strings
	fs.Var(&tags, "tag", "a `TAG` to set, repeatable; without one the image is pushed by digest only")
	digestFile := fs.String("digest-file", "", "where to write the pushed manifest digest (sha256:<hex> and a newline) as `FILE`")
	opts := Options
	if opts.Backoff == (remote.Backoff{}) {
		opts.Backoff = distpush.DefaultBackoff
	}
	attempts := fs.Int("attempts", opts.Backoff.Steps, "how many times to try each blob upload and the manifest put on transient failures (connection resets, 408, 429, 5xx), `N` >= 1")
	wait := fs.Duration("retry-wait", opts.Backoff.Duration, "the wait before the first retry, doubled for each further one, as a `DURATION` (e.g. 500ms)")
	if err := cli.Parse(fs, args, "layout", "repository"); err != nil {
		return err
	}
	if *attempts < 1 {
		return cli.Usagef(fs, "--attempts %d: give 1 or more", *attempts)
	}
	if *wait <= 0 {
		return cli.Usagef(fs, "--retry-wait %s: give a positive duration, e.g. 1s", *wait)
	}
	if cli.IsSet(fs, "attempts") {
		opts.Backoff.Steps = *attempts
	}
	if cli.IsSet(fs, "retry-wait") {
		opts.Backoff.Duration = *wait
		opts.Backoff.Factor = 2
	}
	logs.Warn.SetOutput(stderr) // retries
	logs.Warn.SetFlags(0)
	logs.Warn.SetPrefix("distill push: ")
	digest, err := distpush.Push(ctx, *layoutDir, *repository, tags, opts)
	if err != nil {
		return err
	}
	if *digestFile != "" {
		if err := atomicfile.WriteFile(*digestFile, []byte(digest.DigestStr()+"\n")); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(stdout, "%s@%s\n", *repository, digest.DigestStr())
	return err
}
