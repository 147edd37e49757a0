package layertest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
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
