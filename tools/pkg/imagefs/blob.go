package imagefs

import (
	"archive/tar"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Compression names how a layer blob is compressed, told by its first bytes.
type Compression string

// The compressions Decompress knows.
const (
	Gzip Compression = "gzip"
	Zstd Compression = "zstd"
	None Compression = "none"
)

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// maxZstdWindow bounds the memory a zstd layer may ask the decoder for.
const maxZstdWindow = 1 << 27

// Decompress returns the tar stream of a layer blob, whatever its
// compression, and that compression. It decodes on the fly, one pass, with
// bounded memory. Close the ReadCloser when done.
func Decompress(blob io.Reader) (io.ReadCloser, Compression, error) {
	br := bufio.NewReaderSize(blob, 1<<16)
	magic, err := br.Peek(4)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, "", err
	}
	switch {
	case bytes.HasPrefix(magic, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, "", fmt.Errorf("gzip: %w", err)
		}
		return zr, Gzip, nil
	case bytes.HasPrefix(magic, zstdMagic):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxZstdWindow))
		if err != nil {
			return nil, "", fmt.Errorf("zstd: %w", err)
		}
		return zr.IOReadCloser(), Zstd, nil
	}
	return io.NopCloser(br), None, nil
}

// Clean returns the tar entry name relative to the image root, cleaned,
// "" for the root; ".." never leaves the root.
func Clean(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

// IsSparse reports whether hdr is a GNU or PAX sparse file, whose holes
// archive/tar would expand: a few bytes could stand for terabytes.
func IsSparse(hdr *tar.Header) bool {
	if hdr.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}
