package deb

import (
	"encoding/binary"
	"fmt"
	"io"
)

// MaxXzDict is the largest LZMA2 dictionary an xz member may declare. The
// decoder allocates the declared size up front, so a tiny package could
// otherwise ask for 4 GiB; dpkg-deb's largest preset (xz -9) uses 64 MiB.
const MaxXzDict = 1 << 27

// checkXz walks the container structure of the xz data in r (size bytes):
// streams, block headers, the LZMA2 chunk headers (which carry their own
// sizes, so nothing is decompressed), checks, indexes and stream padding.
// It returns an error when a block declares a dictionary larger than
// MaxXzDict, or when the structure is truncated or garbled, before any
// decoder allocates anything.
func checkXz(r io.ReaderAt, size int64) error {
	x := &xzWalker{r: r, size: size}
	for x.off < size {
		if x.off > 0 {
			// Stream padding: zero bytes, a multiple of four, between
			// and after streams.
			b, err := x.bytes(1)
			if err != nil {
				return err
			}
			if b[0] == 0 {
				continue
			}
			x.off--
			if x.off%4 != 0 {
				return x.garbled("stream padding is not a multiple of four bytes")
			}
		}
		if err := x.stream(); err != nil {
			return err
		}
	}
	return nil
}

type xzWalker struct {
	r         io.ReaderAt
	size, off int64
	buf       [16]byte
}

func (x *xzWalker) garbled(what string) error {
	return fmt.Errorf("garbled xz data at offset %d: %s", x.off, what)
}

// bytes reads the next n (at most 16) bytes.
func (x *xzWalker) bytes(n int) ([]byte, error) {
	if x.size-x.off < int64(n) {
		return nil, fmt.Errorf("xz data truncated at offset %d: %w", x.size, io.ErrUnexpectedEOF)
	}
	b := x.buf[:n]
	if _, err := x.r.ReadAt(b, x.off); err != nil {
		return nil, fmt.Errorf("reading xz data at offset %d: %w", x.off, err)
	}
	x.off += int64(n)
	return b, nil
}

// skip moves past n bytes that must be there.
func (x *xzWalker) skip(n int64) error {
	if n < 0 || x.size-x.off < n {
		return fmt.Errorf("xz data truncated at offset %d: %w", x.size, io.ErrUnexpectedEOF)
	}
	x.off += n
	return nil
}

// uvarint reads an xz multibyte integer (at most 9 bytes, 63 bits).
func (x *xzWalker) uvarint() (uint64, error) {
	var v uint64
	for i := 0; i < 9; i++ {
		b, err := x.bytes(1)
		if err != nil {
			return 0, err
		}
		v |= uint64(b[0]&0x7f) << (7 * i)
		if b[0]&0x80 == 0 {
			if i > 0 && b[0] == 0 {
				return 0, x.garbled("integer with a zero last byte")
			}
			return v, nil
		}
	}
	return 0, x.garbled("integer longer than 9 bytes")
}

var xzMagic = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}

// stream walks one stream: header, blocks, index, footer.
func (x *xzWalker) stream() error {
	h, err := x.bytes(12)
	if err != nil {
		return err
	}
	if string(h[:6]) != string(xzMagic) {
		return x.garbled("no xz stream magic")
	}
	checkType := h[7]
	if h[6] != 0 || checkType > 0x0f {
		return x.garbled("bad stream flags")
	}
	checkSize := int64(0)
	if checkType > 0 {
		checkSize = 4 << ((checkType - 1) / 3)
	}
	for {
		start := x.off
		b, err := x.bytes(1)
		if err != nil {
			return err
		}
		if b[0] == 0 { // the index indicator: no more blocks
			break
		}
		if err := x.block(start, (int64(b[0])+1)*4, checkSize); err != nil {
			return err
		}
	}
	// The index: records of two integers, padding, CRC32; then the footer.
	records, err := x.uvarint()
	if err != nil {
		return err
	}
	for i := uint64(0); i < 2*records; i++ {
		if _, err := x.uvarint(); err != nil {
			return err
		}
	}
	return x.skip(int64(-x.off&3) + 4 + 12)
}

// block walks one block whose header, at start, is headerSize bytes.
func (x *xzWalker) block(start, headerSize, checkSize int64) error {
	flags, err := x.bytes(1)
	if err != nil {
		return err
	}
	f := flags[0]
	if f&0x3c != 0 {
		return x.garbled("reserved block flags set")
	}
	if f&0x40 != 0 { // compressed size
		if _, err := x.uvarint(); err != nil {
			return err
		}
	}
	if f&0x80 != 0 { // uncompressed size
		if _, err := x.uvarint(); err != nil {
			return err
		}
	}
	lzma2 := false
	for i := 0; i <= int(f&3); i++ {
		id, err := x.uvarint()
		if err != nil {
			return err
		}
		n, err := x.uvarint()
		if err != nil {
			return err
		}
		if n > 16 {
			return x.garbled("filter properties longer than 16 bytes")
		}
		props, err := x.bytes(int(n))
		if err != nil {
			return err
		}
		if id != 0x21 {
			continue
		}
		if n != 1 || props[0] > 40 {
			return x.garbled("bad LZMA2 properties")
		}
		lzma2 = true
		// Dictionary sizes go 4 KiB, 6 KiB, 8 KiB, 12 KiB... 3 GiB, then
		// 40 is 4 GiB - 1.
		dict := int64(2|props[0]&1) << (props[0]/2 + 11)
		if props[0] == 40 {
			dict = 1<<32 - 1
		}
		if dict > MaxXzDict {
			return fmt.Errorf("xz block at offset %d declares a %d MiB dictionary, more than the %d MiB accepted: garbled or hostile",
				start, dict>>20, MaxXzDict>>20)
		}
	}
	if x.off > start+headerSize {
		return x.garbled("block header longer than its size byte says")
	}
	x.off = start + headerSize
	if !lzma2 {
		return nil // a filter chain the decoder refuses anyway
	}
	if err := x.lzma2(); err != nil {
		return err
	}
	return x.skip(int64(-(x.off-start))&3 + checkSize)
}

// lzma2 walks the LZMA2 chunks of a block up to its end marker.
func (x *xzWalker) lzma2() error {
	for {
		c, err := x.bytes(1)
		if err != nil {
			return err
		}
		switch ctl := c[0]; {
		case ctl == 0:
			return nil
		case ctl == 1 || ctl == 2: // uncompressed chunk
			s, err := x.bytes(2)
			if err != nil {
				return err
			}
			if err := x.skip(int64(binary.BigEndian.Uint16(s)) + 1); err != nil {
				return err
			}
		case ctl >= 0x80: // LZMA chunk: unpacked size (2 bytes), packed size, props
			n := 4
			if ctl >= 0xc0 {
				n = 5
			}
			s, err := x.bytes(n)
			if err != nil {
				return err
			}
			if err := x.skip(int64(binary.BigEndian.Uint16(s[2:4])) + 1); err != nil {
				return err
			}
		default:
			return x.garbled(fmt.Sprintf("LZMA2 control byte %#02x", ctl))
		}
	}
}
