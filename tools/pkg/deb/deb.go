package deb

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"pault.ag/go/debian/control"
)

// MaxControlFile is the largest control or md5sums file Open accepts: they
// are held in memory.
const MaxControlFile = 64 << 20

// packageName is a Debian package name (Debian Policy 5.6.1).
var packageName = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)

// Deb is an opened Debian binary package.
type Deb struct {
	// Name, Version and Architecture are the package's control fields.
	// Name is checked against Debian Policy, so it is safe as a file name.
	Name, Version, Architecture string
	// Control is the control file of control.tar, verbatim.
	Control []byte
	// MD5Sums is the md5sums file of control.tar, verbatim, or nil when
	// the package has none.
	MD5Sums []byte

	r           io.ReaderAt
	data        Member
	compression Compression
}

// Open reads the package in r (size bytes): its ar member list, its
// debian-binary version, and the control and md5sums files of control.tar.
// data.tar is read later, by Data. Errors say what is wrong with the
// package; the caller adds which file it is.
func Open(r io.ReaderAt, size int64) (*Deb, error) {
	members, err := ReadAr(r, size)
	if err != nil {
		return nil, err
	}
	// dpkg's order: debian-binary, control.tar*, data.tar*; members whose
	// name starts with "_" may come in between and are ignored, as are
	// members after data.tar.
	var names []string
	for _, m := range members {
		names = append(names, m.Name)
	}
	list := strings.Join(names, ", ")
	if len(members) == 0 || members[0].Name != "debian-binary" {
		return nil, fmt.Errorf("not a Debian package: first ar member must be debian-binary (members: %s)", list)
	}
	if err := checkVersion(r, members[0]); err != nil {
		return nil, err
	}
	var ctl, data Member
	var ctlC, dataC Compression
	for _, m := range members[1:] {
		if strings.HasPrefix(m.Name, "_") {
			continue
		}
		base, c, ok, err := tarMember(m.Name)
		if err != nil {
			return nil, err
		}
		switch {
		case ok && base == "control" && ctl.Name == "":
			ctl, ctlC = m, c
			continue
		case ok && base == "data" && ctl.Name != "":
			data, dataC = m, c
		case ok && base == "data":
			return nil, fmt.Errorf("ar member %q comes before control.tar (members: %s)", m.Name, list)
		default:
			return nil, fmt.Errorf("unexpected ar member %q before data.tar (members: %s)", m.Name, list)
		}
		break
	}
	switch {
	case ctl.Name == "":
		return nil, fmt.Errorf("no control.tar member (members: %s)", list)
	case data.Name == "":
		return nil, fmt.Errorf("no data.tar member (members: %s)", list)
	}
	d := &Deb{r: r, data: data, compression: dataC}
	if err := d.readControl(ctl, ctlC); err != nil {
		return nil, err
	}
	return d, nil
}

func checkVersion(r io.ReaderAt, m Member) error {
	if m.Size > 64 {
		return fmt.Errorf("debian-binary is %d bytes: not a format version", m.Size)
	}
	b := make([]byte, m.Size)
	if _, err := r.ReadAt(b, m.Offset); err != nil {
		return fmt.Errorf("reading debian-binary: %w", err)
	}
	if !bytes.HasPrefix(b, []byte("2.")) || !bytes.HasSuffix(b, []byte("\n")) {
		return fmt.Errorf("debian-binary is %q: unsupported format, want 2.x", b)
	}
	return nil
}

// readControl reads the control and md5sums files of control.tar and the
// control paragraph's fields.
func (d *Deb) readControl(m Member, c Compression) error {
	zr, err := decompress(m.Name, c, io.NewSectionReader(d.r, m.Offset, m.Size))
	if err != nil {
		return err
	}
	defer zr.Close()
	tr := newTarStream(m.Name, zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		var dst *[]byte
		switch strings.TrimPrefix(h.Name, "./") {
		case "control":
			dst = &d.Control
		case "md5sums":
			dst = &d.MD5Sums
		default:
			continue
		}
		if *dst != nil {
			return fmt.Errorf("%s: entry %q appears twice", m.Name, h.Name)
		}
		if h.Typeflag != tar.TypeReg {
			return fmt.Errorf("%s: entry %q is not a regular file", m.Name, h.Name)
		}
		if h.Size > MaxControlFile {
			return fmt.Errorf("%s: entry %q is %d bytes, more than the %d accepted", m.Name, h.Name, h.Size, MaxControlFile)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return err
		}
		*dst = b
	}
	if d.Control == nil {
		return fmt.Errorf("%s: no control file", m.Name)
	}
	return d.parseControl()
}

func (d *Deb) parseControl() error {
	pr, err := control.NewParagraphReader(bytes.NewReader(d.Control), nil)
	if err != nil {
		return fmt.Errorf("parsing control file: %w", flatError{err})
	}
	p, err := pr.Next()
	if err != nil {
		return fmt.Errorf("parsing control file: %w", flatError{err})
	}
	d.Name = p.Values["Package"]
	d.Version = p.Values["Version"]
	d.Architecture = p.Values["Architecture"]
	if !packageName.MatchString(d.Name) {
		return fmt.Errorf("control file: Package %q is not a Debian package name", d.Name)
	}
	return nil
}

// flatError keeps the error of pault.ag/go/debian/control on one line: it
// quotes the offending line with its line break.
type flatError struct{ err error }

func (e flatError) Error() string { return lineBreaks.Replace(e.err.Error()) }

var lineBreaks = strings.NewReplacer("\n", `\n`, "\r", `\r`)

func (e flatError) Unwrap() error { return e.err }

// DataMember returns the name of the data.tar member, e.g. "data.tar.xz".
func (d *Deb) DataMember() string { return d.data.Name }

// Data starts a pass over the entries of data.tar, in the package's order.
// Each call starts a new, independent pass from the first entry.
func (d *Deb) Data() (*DataReader, error) {
	zr, err := decompress(d.data.Name, d.compression, io.NewSectionReader(d.r, d.data.Offset, d.data.Size))
	if err != nil {
		return nil, err
	}
	return &DataReader{tarStream: newTarStream(d.data.Name, zr), zr: zr}, nil
}

// DataReader reads the entries of data.tar, like a tar.Reader.
type DataReader struct {
	*tarStream
	zr io.Closer
}

// Close releases the decompressor.
func (r *DataReader) Close() error { return r.zr.Close() }

// tarStream is a tar.Reader whose errors name the member and the entry,
// and which checks the whole compressed stream once the tar ends.
type tarStream struct {
	member string
	r      io.Reader
	tr     *tar.Reader
	name   string // the current entry
	done   bool
}

func newTarStream(member string, r io.Reader) *tarStream {
	return &tarStream{member: member, r: r, tr: tar.NewReader(r)}
}

// Next advances to the next entry. At the end of the tar it reads the
// rest of the stream, so a bad checksum or trailing garbage is an error,
// and then returns io.EOF.
func (t *tarStream) Next() (*tar.Header, error) {
	if t.done {
		return nil, io.EOF
	}
	h, err := t.tr.Next()
	if errors.Is(err, tar.ErrInsecurePath) {
		// Names are the caller's to judge (GODEBUG=tarinsecurepath=0).
		err = nil
	}
	switch {
	case errors.Is(err, io.EOF):
		if _, err := io.Copy(io.Discard, t.r); err != nil {
			return nil, t.wrap(err)
		}
		t.done = true
		return nil, io.EOF
	case err != nil:
		return nil, t.wrap(err)
	}
	t.name = h.Name
	return h, nil
}

// Read reads the content of the current entry.
func (t *tarStream) Read(p []byte) (int, error) {
	n, err := t.tr.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		return n, t.wrap(err)
	}
	return n, err
}

func (t *tarStream) wrap(err error) error {
	where := "at the start"
	if t.name != "" {
		where = fmt.Sprintf("after entry %q", t.name)
	}
	what := "garbled"
	if errors.Is(err, io.ErrUnexpectedEOF) {
		what = "truncated"
	}
	return fmt.Errorf("%s: %s %s: %w", t.member, what, where, err)
}
