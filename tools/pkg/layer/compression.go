package layer

import (
	"fmt"
	"io"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"
	"github.com/klauspost/pgzip"
)

// Compression is how the layer tar is compressed.
type Compression string

// The supported compressions.
const (
	Gzip Compression = "gzip"
	Zstd Compression = "zstd"
	None Compression = "none"
)

// Pinned pgzip parameters: the compressed bytes depend on the block size,
// never on the number of cores.
const (
	gzipBlockSize = 1 << 20
	gzipBlocks    = 4
	gzipOSUnknown = 255
)

// ParseCompression returns the Compression named s.
func ParseCompression(s string) (Compression, error) {
	switch c := Compression(s); c {
	case Gzip, Zstd, None:
		return c, nil
	}
	return "", fmt.Errorf("unknown compression %q: want gzip, zstd or none", s)
}

// MediaType returns the OCI media type of a layer compressed with c.
func (c Compression) MediaType() types.MediaType {
	switch c {
	case Zstd:
		return types.OCILayerZStd
	case None:
		return types.OCIUncompressedLayer
	default:
		return types.OCILayer
	}
}

// DefaultLevel returns the level used when none is given: 6 for gzip, 3 for
// zstd, 0 for none.
func (c Compression) DefaultLevel() int {
	switch c {
	case Gzip:
		return 6
	case Zstd:
		return 3
	default:
		return 0
	}
}

// CheckLevel reports whether level is valid for c: 0-9 for gzip, 1-22 for
// zstd (mapped to the encoder's four speeds), 0 for none.
func (c Compression) CheckLevel(level int) error {
	lo, hi := 0, 0
	switch c {
	case Gzip:
		lo, hi = 0, 9
	case Zstd:
		lo, hi = 1, 22
	}
	if level < lo || level > hi {
		if c == None {
			return fmt.Errorf("compression none takes no level, got %d", level)
		}
		return fmt.Errorf("%s level %d is outside %d..%d", c, level, lo, hi)
	}
	return nil
}

// compressor returns a writer that compresses into w with pinned settings.
func (c Compression) compressor(w io.Writer, level int) (io.WriteCloser, error) {
	if err := c.CheckLevel(level); err != nil {
		return nil, err
	}
	switch c {
	case Gzip:
		zw, err := pgzip.NewWriterLevel(w, level)
		if err != nil {
			return nil, err
		}
		if err := zw.SetConcurrency(gzipBlockSize, gzipBlocks); err != nil {
			return nil, err
		}
		// pgzip writes ModTime.Unix() verbatim, so the zero time.Time would
		// not give a zero MTIME field: use the Unix epoch.
		zw.Header = pgzip.Header{ModTime: time.Unix(0, 0), OS: gzipOSUnknown}
		return zw, nil
	case Zstd:
		return zstd.NewWriter(w,
			zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(level)),
			zstd.WithEncoderConcurrency(1),
			zstd.WithEncoderCRC(true),
			zstd.WithZeroFrames(true),
		)
	case None:
		return nopCloser{w}, nil
	}
	return nil, fmt.Errorf("unknown compression %q", c)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
