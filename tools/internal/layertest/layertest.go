package layertest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"

	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
)

// Uncompress returns the tar stream of a layer blob of media type mt.
func Uncompress(t testing.TB, blob []byte, mt types.MediaType) []byte {
	t.Helper()
	var r io.Reader = bytes.NewReader(blob)
	switch mt {
	case types.OCILayer:
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case types.OCILayerZStd:
		zr, err := zstd.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// SHA256 returns the sha256 Hash of b.
func SHA256(b []byte) v1.Hash {
	sum := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}

// Layer returns a v1.Layer over an in-memory blob and its descriptor, for
// validate.Layer (which reads gzip layers only).
func Layer(t testing.TB, blob []byte, desc descriptor.Layer) v1.Layer {
	return blobLayer{t: t, blob: blob, desc: desc}
}

type blobLayer struct {
	t    testing.TB
	blob []byte
	desc descriptor.Layer
}

func (l blobLayer) Digest() (v1.Hash, error)            { return l.desc.Digest, nil }
func (l blobLayer) DiffID() (v1.Hash, error)            { return l.desc.DiffID, nil }
func (l blobLayer) Size() (int64, error)                { return l.desc.Size, nil }
func (l blobLayer) MediaType() (types.MediaType, error) { return l.desc.MediaType, nil }
func (l blobLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.blob)), nil
}
func (l blobLayer) Uncompressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(Uncompress(l.t, l.blob, l.desc.MediaType))), nil
}

// CheckOutputs checks the two files a layer-writing subcommand wrote: the
// blob has the digest and size its descriptor gives, and the descriptor is
// one line of JSON and a newline. It returns the descriptor.
func CheckOutputs(t testing.TB, blob, desc string) descriptor.Layer {
	t.Helper()
	d, err := descriptor.ReadLayer(desc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(blob)
	if err != nil {
		t.Fatal(err)
	}
	if got := SHA256(b); got != d.Digest || int64(len(b)) != d.Size {
		t.Errorf("blob has digest %s and size %d, descriptor %s and %d", got, len(b), d.Digest, d.Size)
	}
	raw, err := os.ReadFile(desc)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(raw), "}\n") || strings.Count(string(raw), "\n") != 1 {
		t.Errorf("descriptor is not one line of JSON and a newline: %q", raw)
	}
	return d
}

// UmaskFromEnv sets the process's umask to DISTILL_TEST_UMASK (octal) when
// it is set: for a test binary that re-runs itself as a subcommand under a
// given umask (see the TestMain functions of the subcommands' tests).
func UmaskFromEnv() {
	u := os.Getenv("DISTILL_TEST_UMASK")
	if u == "" {
		return
	}
	n, err := strconv.ParseUint(u, 8, 32)
	if err != nil {
		panic(err)
	}
	syscall.Umask(int(n))
}
