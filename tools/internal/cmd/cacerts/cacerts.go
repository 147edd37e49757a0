package cacerts

import (
	"context"
	"github.com/rules-distill/rules_distill/tools/internal/layerout"
	"io"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/cacerts"
	"github.com/rules-distill/rules_distill/tools/pkg/deb"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
)

// Command is `distill cacerts`.
var Command = cli.Command{
	Name:    "cacerts",
	Summary: "write the layer of the CA bundle (and Java cacerts) made from the ca-certificates package",
	Usage:   "--deb ca-certificates.deb --output BLOB --descriptor DESC.json [--java-cacerts] [--compression gzip|zstd|none] [--level N]",
	Run:     Run,
}

// Run runs `distill cacerts` with args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("cacerts")
	debPath := fs.String("deb", "", "the ca-certificates package `PKG.deb`")
	out := layerout.Add(fs)
	javaCacerts := fs.Bool("java-cacerts", false, "also write "+cacerts.KeystorePath+" (JKS, password \""+cacerts.KeystorePassword+"\")")
	if err := cli.Parse(fs, args, append([]string{"deb"}, layerout.Required...)...); err != nil {
		return err
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
	return out.Write(func(w io.Writer) (descriptor.Layer, error) {
		return cacerts.Write(w, pkg, cacerts.Options{Layer: opts, Keystore: *javaCacerts})
	})
}
