package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/rules-distill/rules_distill/bench/internal/treegen"
	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "gentree: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fset := flag.NewFlagSet("gentree", flag.ContinueOnError)
	sizeMB := fset.Float64("size-mb", 0, "total size of the tree's files in `MB` (10^6 bytes)")
	seed := fset.String("seed", "", "`DIR` copied first (its files in path order, while they fit); empty: generated files only")
	out := fset.String("out", "", "the tree `DIR` to create (must not exist)")
	entries := fset.String("entries", "", "where to write the tree's `ENTRIES.json` for distill layer")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if *sizeMB <= 0 || *out == "" || *entries == "" {
		return errors.New("usage: gentree --size-mb MB [--seed DIR] --out DIR --entries ENTRIES.json")
	}
	tree, err := treegen.Write(*out, treegen.Options{Size: int64(*sizeMB * 1e6), Seed: *seed})
	if err != nil {
		return err
	}
	data, err := json.Marshal(struct {
		Entries []layer.Entry `json:"entries"`
	}{tree.Entries})
	if err != nil {
		return fmt.Errorf("encoding entries: %w", err)
	}
	f, err := atomicfile.Bytes(*entries, append(data, '\n'))
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := atomicfile.Commit(f); err != nil {
		return err
	}
	fmt.Printf("gentree: %s: %d entries, %d bytes in files\n", *out, len(tree.Entries), tree.Size)
	return nil
}
