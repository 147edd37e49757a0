package deblayer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"pault.ag/go/debian/control"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/internal/layerout"
	"github.com/rules-distill/rules_distill/tools/pkg/deb"
	"github.com/rules-distill/rules_distill/tools/pkg/deblayer"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/sbom"
)

// Command is `distill deb-layer`.
var Command = cli.Command{
	Name:    "deb-layer",
	Summary: "write a layer blob and its descriptor from a Debian package (.deb)",
	Usage:   "--deb PKG.deb --output BLOB --descriptor DESC.json [--contents CONTENTS.json] [--compression gzip|zstd|none] [--level N] [--keep-docs] [--merged-usr] [--include GLOB]... [--exclude GLOB]...",
	Run:     Run,
}

// Run runs `distill deb-layer` with args. setuid and setgid files are
// reported on stderr, one line each.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("deb-layer")
	debPath := fs.String("deb", "", "the Debian package `PKG.deb`")
	out := layerout.Add(fs)
	keepDocs := fs.Bool("keep-docs", false, "keep usr/share/{doc,man,info,lintian,doc-base} (default: only usr/share/doc/<pkg>/copyright)")
	mergedUsr := fs.Bool("merged-usr", false, "move bin/, sbin/, lib*/ below usr/ and drop those top-level directories (Debian 13 and later)")
	var include, exclude cli.Strings
	fs.Var(&include, "include", "keep only entries whose path matches `GLOB` (repeatable; ** spans path elements, * stays within one), their parent directories and the status.d files")
	fs.Var(&exclude, "exclude", "drop entries whose path matches `GLOB` (repeatable; wins over --include)")
	if err := cli.Parse(fs, args, append([]string{"deb"}, layerout.Required...)...); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		ps   []string
	}{{"include", include}, {"exclude", exclude}} {
		for _, p := range f.ps {
			if err := deblayer.CheckPattern(p); err != nil {
				return cli.Usagef(fs, "--%s: %v", f.name, err)
			}
		}
	}
	opts, err := out.Options()
	if err != nil {
		return err
	}
	pkg, f, err := deb.OpenFile(*debPath)
	if err != nil {
		return err
	}
	defer f.Close()
	// A package is listed in the SBOM as a package, not file by file.
	opts.OnFile = nil
	var read map[string]func([]byte)
	var copyright []byte
	if out.WantContents() {
		read = map[string]func([]byte){
			"usr/share/doc/" + pkg.Name + "/copyright": func(b []byte) { copyright = b },
		}
		for _, p := range sbom.OSReleasePaths {
			read[p] = func(b []byte) {
				if o := sbom.ParseOSRelease(b); o != nil && (out.Contents.OSRelease == nil || p == sbom.OSReleasePaths[0]) {
					out.Contents.OSRelease = o
				}
			}
		}
	}
	return out.Write(func(w io.Writer) (descriptor.Layer, error) {
		desc, err := deblayer.Write(w, pkg, deblayer.Options{
			Layer:     opts,
			KeepDocs:  *keepDocs,
			MergedUsr: *mergedUsr,
			Include:   include,
			Exclude:   exclude,
			Note:      func(msg string) { fmt.Fprintf(stderr, "distill deb-layer: note: %s\n", msg) },
			Read:      read,
		})
		if err != nil || !out.WantContents() {
			return desc, err
		}
		p, err := sbomPackage(pkg, f, copyright)
		if err != nil {
			return descriptor.Layer{}, fmt.Errorf("%s: %w", *debPath, err)
		}
		out.Contents.Packages = []sbom.Package{p}
		return desc, nil
	})
}

// sbomPackage describes the package pkg, read from f, for the SBOM. The
// .deb's sha256 takes one sequential read of the (compressed) .deb file.
func sbomPackage(pkg *deb.Deb, f *os.File, copyright []byte) (sbom.Package, error) {
	h := sha256.New()
	size, err := io.Copy(h, io.NewSectionReader(f, 0, 1<<62))
	if err != nil {
		return sbom.Package{}, fmt.Errorf("hashing the package for the SBOM: %w", err)
	}
	p := sbom.Package{
		Name:          pkg.Name,
		Version:       pkg.Version,
		Architecture:  pkg.Architecture,
		Source:        pkg.Name,
		SourceVersion: pkg.Version,
		License:       sbom.NoAssertion,
		FileName:      filepath.Base(f.Name()),
		SHA256:        hex.EncodeToString(h.Sum(nil)),
		Size:          size,
	}
	if copyright != nil {
		p.License = sbom.License(copyright)
	}
	pr, err := control.NewParagraphReader(bytes.NewReader(pkg.Control), nil)
	if err != nil {
		return sbom.Package{}, fmt.Errorf("parsing control file: %w", err)
	}
	para, err := pr.Next()
	if err != nil {
		return sbom.Package{}, fmt.Errorf("parsing control file: %w", err)
	}
	p.Homepage = para.Values["Homepage"]
	// "Source: glibc" or "Source: glibc (2.36-9)" when the versions differ.
	if src := strings.TrimSpace(para.Values["Source"]); src != "" {
		name, version, _ := strings.Cut(src, " ")
		p.Source = name
		if v := strings.Trim(strings.TrimSpace(version), "()"); v != "" {
			p.SourceVersion = v
		}
	}
	return p, nil
}
