package deb

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// arMagic starts every ar archive.
const arMagic = "!<arch>\n"

// arHeaderSize is the size of an ar member header: name[16] mtime[12]
// uid[6] gid[6] mode[8] size[10] "`\n".
const arHeaderSize = 60

// Member is one member of an ar archive.
type Member struct {
	// Name is the member's name without padding or the GNU "/" terminator.
	Name string
	// Offset is where the member's data starts in the archive.
	Offset int64
	// Size is the member's declared size, checked against the archive.
	Size int64
}

// ReadAr reads the member list of the ar archive r of size bytes. It reads
// headers only; every member's declared size is checked to fit in the
// archive.
func ReadAr(r io.ReaderAt, size int64) ([]Member, error) {
	magic := make([]byte, len(arMagic))
	if n, err := r.ReadAt(magic, 0); n < len(magic) {
		if err == nil || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("not a Debian package: %d bytes, too short for an ar archive", size)
		}
		return nil, fmt.Errorf("reading ar archive: %w", err)
	}
	if string(magic) != arMagic {
		return nil, fmt.Errorf("not a Debian package: no ar archive magic (starts with %q)", magic)
	}
	var members []Member
	hdr := make([]byte, arHeaderSize)
	for off := int64(len(arMagic)); off < size; {
		if left := size - off; left < arHeaderSize {
			return nil, fmt.Errorf("ar archive truncated: %d bytes at offset %d, too short for a member header", left, off)
		}
		if _, err := r.ReadAt(hdr, off); err != nil {
			return nil, fmt.Errorf("reading ar member header at offset %d: %w", off, err)
		}
		m, err := parseArHeader(hdr)
		if err != nil {
			return nil, fmt.Errorf("ar member header at offset %d: %w", off, err)
		}
		m.Offset = off + arHeaderSize
		if left := size - m.Offset; m.Size > left {
			return nil, fmt.Errorf("ar member %q declares %d bytes, but only %d are left: truncated", m.Name, m.Size, left)
		}
		members = append(members, m)
		// Members start at even offsets; a missing final pad byte is harmless.
		off = m.Offset + m.Size + m.Size%2
	}
	return members, nil
}

func parseArHeader(hdr []byte) (Member, error) {
	if string(hdr[58:60]) != "`\n" {
		return Member{}, fmt.Errorf("garbled: terminator %q, want \"`\\n\"", hdr[58:60])
	}
	name := strings.TrimRight(string(hdr[0:16]), " ")
	name = strings.TrimSuffix(name, "/") // GNU ar ends names with "/"
	if name == "" || strings.ContainsFunc(name, func(r rune) bool { return r == '/' || r < ' ' || r > '~' }) {
		return Member{}, fmt.Errorf("garbled: member name %q", hdr[0:16])
	}
	field := strings.TrimRight(string(hdr[48:58]), " ")
	if field == "" {
		return Member{}, fmt.Errorf("member %q: empty size field", name)
	}
	var size int64
	for _, c := range field {
		if c < '0' || c > '9' {
			return Member{}, fmt.Errorf("member %q: garbled size field %q", name, field)
		}
		size = size*10 + int64(c-'0') // at most 10 digits: no overflow
	}
	return Member{Name: name, Size: size}, nil
}
