package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/cacerts"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/check"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/debianbuild"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/deblayer"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/diff"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/image"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/index"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/inspect"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/kubernetes"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/layer"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/layout"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/ldcache"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/load"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/lock"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/mirrors"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/push"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/sbom"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/tarball"
)

// commands are the subcommands, in pipeline order.
var commands = []cli.Command{
	lock.Command,
	mirrors.Command,
	debianbuild.Command,
	deblayer.Command,
	cacerts.Command,
	ldcache.Command,
	layer.Command,
	image.Command,
	layout.Command,
	sbom.Command,
	index.Command,
	tarball.Command,
	push.Command,
	load.Command,
	kubernetes.Command,
	inspect.Command,
	diff.Command,
	check.Command,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs distill with args and returns the exit code: 0 on success, 1
// when the subcommand fails, 2 for a mistake in the command line; distill
// diff's own status (*diff.ExitStatus): 1 when the images differ, 2 on
// trouble.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		help(stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			return run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		help(stdout)
		return 0
	case "version", "--version":
		fmt.Fprintf(stdout, "distill %s\n", version())
		return 0
	}
	for _, c := range commands {
		if c.Name != args[0] {
			continue
		}
		err := c.Run(ctx, args[1:], stdout, stderr)
		var ue *cli.UsageError
		var status *diff.ExitStatus // diff(1)'s: 1 for differences, 2 for trouble
		switch {
		case err == nil:
			return 0
		case cli.Help(err) && errors.As(err, &ue):
			fmt.Fprintf(stdout, "%s\n\nusage: distill %s %s\n\n%s", c.Summary, c.Name, c.Usage, ue.Flags)
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "distill %s: %s\nusage: distill %s %s\n", c.Name, oneLine(err), c.Name, c.Usage)
			return 2
		case errors.As(err, &status):
			if err.Error() != "" {
				fmt.Fprintf(stderr, "distill %s: %s\n", c.Name, oneLine(err))
			}
			return status.ExitCode()
		default:
			fmt.Fprintf(stderr, "distill %s: %s\n", c.Name, oneLine(err))
			return 1
		}
	}
	fmt.Fprintf(stderr, "distill: unknown command %q: run 'distill help' for the list\n", args[0])
	return 2
}

// oneLine keeps an error on one line of stderr, as the protocol promises.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}

func help(w io.Writer) {
	fmt.Fprintf(w, "distill builds reproducible OCI images for rules_distill.\n\nusage: distill <command> [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-12s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintf(w, "  %-12s %s\n  %-12s %s\n\nRun 'distill help <command>' for its flags.\n",
		"version", "print the version of distill",
		"help", "print this help, or a command's flags")
}

func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	return bi.Main.Version + " " + bi.GoVersion
}
