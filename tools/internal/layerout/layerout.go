package layerout

import (
	"bufio"
	"flag"
	"fmt"
	"io"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/epoch"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
	"github.com/rules-distill/rules_distill/tools/pkg/sbom"
)

// Required names the flags of Flags that a command must require in cli.Parse.
var Required = []string{"output", "descriptor"}

// Flags are the layer output flags of one command.
type Flags struct {
	fs          *flag.FlagSet
	output      *string
	descriptor  *string
	compression *string
	level       *int
	contents    *string
	// Contents is written to --contents, when given, with the blob. The
	// Options give it the layer's files; a command adds what else it knows
	// (a package, an os-release) before Write.
	Contents sbom.Contents
}

// Add registers --output, --descriptor, --compression, --level and --contents on fs.
func Add(fs *flag.FlagSet) *Flags {
	return &Flags{
		fs:          fs,
		output:      fs.String("output", "", "where to write the layer `BLOB`"),
		descriptor:  fs.String("descriptor", "", "where to write the layer descriptor `DESC.json`"),
		compression: fs.String("compression", "gzip", "gzip, zstd or none"),
		level:       fs.Int("level", 0, "compression level `N` (gzip 0-9, default 6; zstd 1-22, default 3)"),
		contents:    fs.String("contents", "", "where to write what the layer holds for the SBOM, `CONTENTS.json` (optional)"),
	}
}

// WantContents reports whether --contents was given.
func (f *Flags) WantContents() bool { return *f.contents != "" }

// Options returns the layer options the flags and SOURCE_DATE_EPOCH give.
// Call it after cli.Parse; a bad compression or level is a usage error.
func (f *Flags) Options() (layer.Options, error) {
	c, err := layer.ParseCompression(*f.compression)
	if err != nil {
		return layer.Options{}, cli.Usagef(f.fs, "--compression: %v", err)
	}
	level := *f.level
	if !cli.IsSet(f.fs, "level") {
		level = c.DefaultLevel()
	}
	if err := c.CheckLevel(level); err != nil {
		return layer.Options{}, cli.Usagef(f.fs, "--level: %v", err)
	}
	mtime, err := epoch.FromEnv()
	if err != nil {
		return layer.Options{}, err
	}
	opts := layer.Options{Compression: c, Level: level, ModTime: mtime}
	if f.WantContents() {
		opts.OnFile = func(s layer.FileSum) { f.Contents.Files = append(f.Contents.Files, s) }
	}
	return opts, nil
}

// Write runs write over the blob file and then writes the descriptor it
// returns, and f.Contents when --contents is given. The files appear
// together, atomically: when write or anything after it fails, none is
// left behind.
func (f *Flags) Write(write func(io.Writer) (descriptor.Layer, error)) error {
	blob, err := atomicfile.Create(*f.output)
	if err != nil {
		return err
	}
	defer blob.Abort()
	w := bufio.NewWriterSize(blob, 1<<20)
	desc, err := write(w)
	if err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", *f.output, err)
	}
	data, err := descriptor.Marshal(desc)
	if err != nil {
		return err
	}
	descFile, err := atomicfile.Bytes(*f.descriptor, data)
	if err != nil {
		return err
	}
	defer descFile.Abort()
	if !f.WantContents() {
		return atomicfile.Commit(blob, descFile)
	}
	f.Contents.Layer = desc.Digest
	data, err = f.Contents.Marshal()
	if err != nil {
		return err
	}
	contentsFile, err := atomicfile.Bytes(*f.contents, data)
	if err != nil {
		return err
	}
	defer contentsFile.Abort()
	return atomicfile.Commit(blob, descFile, contentsFile)
}
