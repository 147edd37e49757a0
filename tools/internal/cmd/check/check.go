package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/layout"
	"github.com/rules-distill/rules_distill/tools/pkg/policy"
)

// Command is `distill check`.
var Command = cli.Command{
	Name:    "check",
	Summary: "check an image against the hardening policy and structure assertions, one line per finding",
	Usage:   "--layout DIR [--nonroot] [--waive RULE[:/GLOB]=REASON]... [--spec SPEC.yaml]...",
	Run:     Run,
}

// ErrFindings is returned (wrapped) when the image has findings.
var ErrFindings = errors.New("the image fails the check")

// Run runs `distill check` with args. Findings are printed to stdout, one
// per line; waived findings too, marked "waived". It fails when a finding
// is left.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("check")
	dir := fs.String("layout", "", "the OCI layout `DIR` of the image")
	nonroot := fs.Bool("nonroot", false, "require a numeric, non-zero user")
	var waives, specs cli.Strings
	fs.Var(&waives, "waive", "`RULE=REASON` or RULE:/GLOB=REASON: accept the findings of a rule (at matching paths), repeated; rules: "+strings.Join(policy.Rules, ", "))
	fs.Var(&specs, "spec", "a `SPEC.yaml` of structure assertions, repeated")
	if err := cli.Parse(fs, args, "layout"); err != nil {
		return err
	}
	waivers := map[string]string{}
	for _, w := range waives {
		key, reason, ok := strings.Cut(w, "=")
		if !ok {
			return cli.Usagef(fs, "--waive %q: want RULE=REASON, e.g. --waive 'shell=debug variant: busybox sh is the point'", w)
		}
		if _, dup := waivers[key]; dup {
			return cli.Usagef(fs, "--waive: %q is waived twice", key)
		}
		waivers[key] = reason
	}
	if err := policy.CheckWaivers(waivers); err != nil {
		return cli.Usagef(fs, "--waive: %v", err)
	}
	spec := &policy.Spec{}
	for _, p := range specs {
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("reading the spec: %w", err)
		}
		s, err := policy.ParseSpec(data)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		spec.Merge(s)
	}
	img, _, err := layout.ReadImage(*dir)
	if err != nil {
		return err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("reading the image config of %s: %w", *dir, err)
	}
	flat, err := policy.ReadFS(img, policy.ReadOptions{Keep: spec.Keep})
	if err != nil {
		return fmt.Errorf("reading the filesystem of %s: %w", *dir, err)
	}
	report, err := policy.Check(flat, cfg, policy.Options{Nonroot: *nonroot, Waivers: waivers})
	if err != nil {
		return err
	}
	report.Findings = append(report.Findings, spec.Evaluate(flat, cfg)...)
	for _, w := range report.Waived {
		fmt.Fprintln(stdout, w)
	}
	for _, f := range report.Findings {
		fmt.Fprintln(stdout, f)
	}
	fmt.Fprintf(stdout, "%d findings, %d waived, %d assertions\n", len(report.Findings), len(report.Waived), spec.Count())
	if len(report.Findings) > 0 {
		return fmt.Errorf("%w: %d findings (listed above, one per line: rule, path, problem, fix)", ErrFindings, len(report.Findings))
	}
	return nil
}
