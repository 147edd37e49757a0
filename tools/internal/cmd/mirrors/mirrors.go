package mirrors

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/apt"
)

// Command is `distill mirrors`.
var Command = cli.Command{
	Name:    "mirrors",
	Summary: "print the mirrors of the Debian archives as JSON",
	Usage:   "[--mirror NAME=URL]... [--apt-dir /etc/apt]",
	Run:     Run,
}

// Run runs `distill mirrors` with args. It prints the map from archive
// name to base URLs, e.g. {"debian":["URL",...],"debian-security":[...]},
// with sorted keys and a newline; names that no source mentions are absent.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("mirrors")
	var flags cli.Strings
	fs.Var(&flags, "mirror", "the mirrors of an archive as `NAME=URL[,URL...]`, tried in order (repeatable; replaces what "+apt.EnvMirrors+" and the apt sources say of NAME)")
	aptDir := fs.String("apt-dir", "/etc/apt", "the apt configuration `DIR` whose sources.list and sources.list.d/ name mirrors (\"\" to ignore them)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	for _, f := range flags {
		if _, _, err := apt.ParseMirror(f); err != nil {
			return cli.Usagef(fs, "--mirror %v", err)
		}
	}
	m, err := apt.ResolveMirrors(flags, os.Getenv(apt.EnvMirrors), *aptDir)
	if err != nil {
		return err
	}
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "%s\n", data); err != nil {
		return fmt.Errorf("writing the mirrors: %w", err)
	}
	return nil
}
