package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Command is one subcommand of distill.
type Command struct {
	// Name is the subcommand, e.g. "layer".
	Name string
	// Summary is one line for `distill help`.
	Summary string
	// Usage lists the flags, e.g. "--tarball IMAGE.tar [--runtime auto|podman|docker]".
	Usage string
	// Run runs the subcommand with the arguments after its name. A
	// *UsageError means a mistake in the command line.
	Run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// UsageError is a mistake in the command line; distill exits 2 for it.
type UsageError struct {
	Err error
	// Flags describes the flags of the subcommand (flag.PrintDefaults).
	Flags string
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Help reports whether err is a request for help (-h or --help).
func Help(err error) bool { return errors.Is(err, flag.ErrHelp) }

// NewFlagSet returns a flag set that reports errors to its caller instead
// of printing them or exiting.
func NewFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// Parse parses args into fs. Bad flags, positional arguments and missing
// required flags are *UsageErrors.
func Parse(fs *flag.FlagSet, args []string, required ...string) error {
	if err := fs.Parse(args); err != nil {
		return usage(fs, err)
	}
	if fs.NArg() > 0 {
		return usage(fs, fmt.Errorf("unexpected argument %q: every argument is a flag", fs.Arg(0)))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var missing []string
	for _, name := range required {
		if !set[name] {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) > 0 {
		return usage(fs, fmt.Errorf("missing required flag %s", strings.Join(missing, ", ")))
	}
	return nil
}

// Usagef returns a *UsageError for fs.
func Usagef(fs *flag.FlagSet, format string, args ...any) error {
	return usage(fs, fmt.Errorf(format, args...))
}

func usage(fs *flag.FlagSet, err error) error {
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	return &UsageError{Err: err, Flags: buf.String()}
}

// IsSet reports whether the flag name was given on the command line.
func IsSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// Strings is a flag that may be repeated; each use appends a value.
type Strings []string

func (s *Strings) String() string { return strings.Join(*s, ",") }

// Set appends v.
func (s *Strings) Set(v string) error {
	*s = append(*s, v)
	return nil
}
