// Package deb reads Debian binary packages: the ar archive, the control and md5sums files of control.tar, and the entries of data.tar as a stream.
//
// Open reads the member list and control.tar (small) and checks the
// package's shape: debian-binary "2.x" first, then control.tar, then
// data.tar, each plain or compressed with gzip, xz or zstd (the compression
// named by the member is checked against the data's magic bytes; an xz
// member's block and LZMA2 chunk headers are walked first, and a block that
// declares a dictionary over MaxXzDict is refused, since the decoder would
// allocate it up front: a 1 kB package could ask for 4 GiB). Data
// then streams data.tar's entries in the package's own order, decompressing
// as it goes, and reports a truncated or garbled stream as an error rather
// than as a short package. Nothing is extracted to disk and no member is
// held in memory whole, except the control and md5sums files.
//
// The ar reader is this package's own: pault.ag/go/debian/deb reads whole
// member lists into a map (losing their order), accepts member headers with
// a bad terminator, does not check declared sizes against the file, and
// would pull in xz and lzma decoders other than github.com/ulikunitz/xz.
// pault.ag/go/debian/control parses the control paragraph.
package deb
