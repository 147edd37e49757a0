package deb

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// Compression is how a control.tar or data.tar member is compressed, from
// its name's extension.
type Compression string

// The compressions of .deb members this package reads.
const (
	None Compression = "none"
	Gzip Compression = "gzip"
	Xz   Compression = "xz"
	Zstd Compression = "zstd"
)

// magic is what the data of each compression starts with. A plain tar has
// "ustar" at offset 257 instead (checked in decompress).
var magic = map[Compression][]byte{
	Gzip: {0x1f, 0x8b},
	Xz:   {0xfd, '7', 'z', 'X', 'Z', 0x00},
	Zstd: {0x28, 0xb5, 0x2f, 0xfd},
}

// tarMember splits a member name like "data.tar.xz" into its base ("data")
// and compression. ok is false when name is not a tar member; err is set
// for a tar member compressed some way this package does not read.
func tarMember(name string) (base string, c Compression, ok bool, err error) {
	i := strings.Index(name, ".tar")
	if i <= 0 {
		return "", "", false, nil
	}
	base, ext := name[:i], name[i+len(".tar"):]
	switch ext {
	case "":
		return base, None, true, nil
	case ".gz":
		return base, Gzip, true, nil
	case ".xz":
		return base, Xz, true, nil
	case ".zst":
		return base, Zstd, true, nil
	case ".bz2", ".lzma":
		return base, "", true, fmt.Errorf("member %q: compression %s is not supported (gzip, xz, zstd or none)", name, ext[1:])
	}
	return "", "", false, nil
}

// decompress returns the uncompressed bytes of r, compressed with c, after
// checking that they start the way c's data does. The reader returned
// reports a corrupt or truncated stream (checksum, unexpected end) as an
// error; read it to io.EOF to have the whole stream checked. xz data in an
// io.SectionReader (a .deb member) is walked first (checkXz), so no block
// can make the decoder allocate more than MaxXzDict.
func decompress(name string, c Compression, r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if c == None {
		head, err := br.Peek(512)
		if err != nil {
			return nil, fmt.Errorf("%s: %d bytes, too short for a tar archive: truncated", name, len(head))
		}
		if !bytes.HasPrefix(head[257:], []byte("ustar")) {
			return nil, fmt.Errorf("%s: not a tar archive (no ustar magic at offset 257): wrong name or garbled", name)
		}
		return io.NopCloser(br), nil
	}
	want := magic[c]
	head, _ := br.Peek(len(want))
	if !bytes.Equal(head, want) {
		return nil, fmt.Errorf("%s: not %s data (starts with % x, want % x): wrong compression or garbled", name, c, head, want)
	}
	switch c {
	case Gzip:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return zr, nil
	case Xz:
		// The decoder allocates the dictionary a block declares: check
		// every block first when the member can be walked.
		if sr, ok := r.(*io.SectionReader); ok {
			if err := checkXz(sr, sr.Size()); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		zr, err := xz.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return io.NopCloser(zr), nil
	case Zstd:
		// One goroutine, and dpkg's own window limit (128 MiB), so memory
		// stays bounded whatever the frame header asks for.
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(1<<27))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return zr.IOReadCloser(), nil
	}
	return nil, fmt.Errorf("%s: unknown compression %q", name, c)
}
