package lock

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sync/errgroup"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/apt"
	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
	distlock "github.com/rules-distill/rules_distill/tools/pkg/lock"
	"github.com/rules-distill/rules_distill/tools/pkg/manifest"
	"github.com/rules-distill/rules_distill/tools/pkg/resolve"
)

// Command is `distill lock`.
var Command = cli.Command{
	Name:    "lock",
	Summary: "resolve packages.yaml against the signed Debian archive into packages.lock.json",
	Usage:   "--manifest packages.yaml --output packages.lock.json [--mirror NAME=URL]... [--keyring FILE]... [--cache DIR]",
	Run:     Run,
}

// aptDir is where the host's apt sources are read from; tests change it.
var aptDir = "/etc/apt"

// fetchers bounds the Packages indexes fetched and parsed at once.
const fetchers = 4

// Run runs `distill lock` with args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("lock")
	manifestPath := fs.String("manifest", "", "the `packages.yaml` to resolve")
	output := fs.String("output", "", "where to write the lock (`packages.lock.json`)")
	var mirrors, keyrings cli.Strings
	fs.Var(&mirrors, "mirror", "`NAME=URL[,URL...]` names the mirrors of an archive (repeatable; takes precedence over "+apt.EnvMirrors+" and the apt sources)")
	fs.Var(&keyrings, "keyring", "an OpenPGP keyring `FILE` that signs the archives (repeatable; replaces the manifest's keyrings)")
	cache := fs.String("cache", "", "a `DIR` that keeps verified Packages indexes between runs")
	if err := cli.Parse(fs, args, "manifest", "output"); err != nil {
		return err
	}
	for _, m := range mirrors {
		if _, _, err := apt.ParseMirror(m); err != nil {
			return cli.Usagef(fs, "--mirror %v", err)
		}
	}

	m, err := manifest.Read(*manifestPath)
	if err != nil {
		return err
	}
	if len(keyrings) == 0 {
		for _, k := range m.Keyrings {
			if !filepath.IsAbs(k) {
				k = filepath.Join(filepath.Dir(*manifestPath), k)
			}
			keyrings = append(keyrings, k)
		}
	}
	mm, err := apt.ResolveMirrors(mirrors, os.Getenv(apt.EnvMirrors), aptDir)
	if err != nil {
		return err
	}
	opts := []apt.Option{apt.WithProgress(stderr)}
	if *cache != "" {
		opts = append(opts, apt.WithCache(*cache))
	}
	client, err := apt.NewClient(mm, keyrings, opts...)
	if err != nil {
		return err
	}
	idx, err := fetch(ctx, client, m)
	if err != nil {
		return err
	}
	l, err := build(m, idx, stderr)
	if err != nil {
		return err
	}
	data, err := distlock.Marshal(l)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(*output, data)
}

// indexes is what the archive says for a manifest.
type indexes struct {
	// releases are the Releases of every suite, in manifest order.
	releases []*apt.Release
	// candidates are, per architecture, the packages of every index of
	// that architecture.
	candidates map[string][]resolve.Candidate
}

// fetch reads the Release of every suite and the Packages index of every
// component and architecture of it.
func fetch(ctx context.Context, client *apt.Client, m *manifest.Manifest) (*indexes, error) {
	type suite struct{ archive, name string }
	var suites []suite
	for _, a := range m.Archives {
		for _, s := range a.Suites {
			suites = append(suites, suite{a.Name, s})
		}
	}
	releases := make([]*apt.Release, len(suites))
	g, gctx := errgroup.WithContext(ctx)
	for i, s := range suites {
		g.Go(func() error {
			rel, err := client.Release(gctx, s.archive, s.name)
			releases[i] = rel
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	type job struct {
		rel             *apt.Release
		component, arch string
	}
	var jobs []job
	i := 0
	for _, a := range m.Archives {
		for range a.Suites {
			for _, c := range a.Components {
				for _, arch := range m.Architectures {
					jobs = append(jobs, job{releases[i], c, arch})
				}
			}
			i++
		}
	}
	results := make([][]apt.Candidate, len(jobs))
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(fetchers)
	for i, j := range jobs {
		g.Go(func() error {
			cands, err := client.Packages(gctx, j.rel, j.component, j.arch)
			results[i] = cands
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	idx := &indexes{releases: releases, candidates: map[string][]resolve.Candidate{}}
	for i, j := range jobs {
		for _, c := range results[i] {
			idx.candidates[j.arch] = append(idx.candidates[j.arch], resolve.Candidate(c))
		}
		results[i] = nil
	}
	return idx, nil
}

// build resolves every architecture of m and assembles the lock.
func build(m *manifest.Manifest, idx *indexes, progress io.Writer) (*distlock.Lock, error) {
	l := &distlock.Lock{
		Version:        distlock.Version,
		ManifestSHA256: m.SHA256,
		Archives:       map[string]map[string]distlock.Suite{},
	}
	var origins []resolve.Origin
	for _, rel := range idx.releases {
		if l.Archives[rel.Archive] == nil {
			l.Archives[rel.Archive] = map[string]distlock.Suite{}
		}
		l.Archives[rel.Archive][rel.Suite] = distlock.Suite{Date: rel.Date}
		origins = append(origins, resolve.Origin{Archive: rel.Archive, Suite: rel.Suite})
	}
	for _, arch := range m.Architectures {
		pkgs, err := resolve.Resolve(resolve.Input{
			Architecture: arch,
			Candidates:   idx.candidates[arch],
			Requests:     m.Requests(arch),
			Exclude:      m.Exclusions(),
			Origins:      origins,
		})
		if err != nil {
			return nil, err
		}
		for _, p := range pkgs {
			c := p.Candidate
			l.Packages = append(l.Packages, distlock.Package{
				Name:            c.Package,
				Version:         c.Version.String(),
				Architecture:    c.Architecture.String(),
				ForArchitecture: arch,
				Archive:         c.Archive,
				Suite:           c.Suite,
				Component:       c.Component,
				Filename:        c.Filename,
				SHA256:          c.SHA256,
				Size:            int64(c.Size),
				Source:          c.SourcePackage(),
				Depends:         p.Depends,
				Excluded:        p.Excluded,
				MergedUsr:       m.MergedUsrFor(c.Suite),
			})
		}
		fmt.Fprintf(progress, "resolved %s: %d packages\n", arch, len(pkgs))
	}
	return l, nil
}
