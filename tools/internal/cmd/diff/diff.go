package diff

import (
	"context"
	"io"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/internal/cmd/inspect"
	"github.com/rules-distill/rules_distill/tools/pkg/imagediff"
)

// Command is `distill diff`.
var Command = cli.Command{
	Name:    "diff",
	Summary: "show what changed from image A to image B; exit 0 when nothing did, 1 when something did, 2 on trouble",
	Usage:   "A B [--json] [--max-files N] [--platform OS/ARCH[/VARIANT]] [--insecure]",
	Run:     Run,
}

// ExitStatus is an error that carries the exit status of `distill diff`,
// as diff(1) has it: 1 when the images differ (Err is nil: there is
// nothing to report on stderr), 2 on trouble.
type ExitStatus struct {
	Code int
	Err  error
}

func (e *ExitStatus) Error() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

func (e *ExitStatus) Unwrap() error { return e.Err }

// ExitCode is the exit status distill ends with.
func (e *ExitStatus) ExitCode() int { return e.Code }

// Differ is the error Run returns when the images differ.
var Differ = &ExitStatus{Code: 1}

// Run runs `distill diff` with args. It returns nil when the images do not
// differ, Differ when they do, an *ExitStatus of code 2 when it cannot
// tell, and a *cli.UsageError (exit 2 too) for a mistake in args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("diff")
	asJSON := fs.Bool("json", false, "print JSON (schema: docs/inspect.md) instead of tables")
	maxFiles := fs.Int("max-files", 20, "list at most `N` files in the tables (0: all; --json lists all)")
	src := inspect.AddSourceFlags(fs)
	pos, err := inspect.ParseArgs(fs, args, "A", "B")
	if err != nil {
		return err
	}
	if *maxFiles < 0 {
		return cli.Usagef(fs, "--max-files %d: give 0 (all) or more", *maxFiles)
	}
	opts, err := src.Options(fs)
	if err != nil {
		return err
	}
	a, err := inspect.Load(ctx, pos[0], opts, 1)
	if err != nil {
		return &ExitStatus{Code: 2, Err: err}
	}
	b, err := inspect.Load(ctx, pos[1], opts, 1)
	if err != nil {
		return &ExitStatus{Code: 2, Err: err}
	}
	d := imagediff.Compare(a, b)
	if *asJSON {
		err = inspect.WriteJSON(stdout, d)
	} else {
		err = d.WriteText(stdout, *maxFiles)
	}
	switch {
	case err != nil:
		return &ExitStatus{Code: 2, Err: err}
	case d.Identical:
		return nil
	}
	return Differ
}
