// Package imagefs flattens the layers of an image into one filesystem:
// each layer blob is decompressed (gzip, zstd or none, told apart by its
// first bytes) and its tar applied on top of the layers before it, later
// layers overriding earlier ones, OCI whiteouts (.wh.NAME) removing what
// lower layers hold and opaque markers (.wh..wh..opq) emptying a directory.
// File contents are streamed past: the caller's ReadFunc keeps what it
// needs of each regular file (ELF facts, a few small files), so memory
// grows with the number of paths, not with the bytes of the image.
//
// Users: tools/pkg/policy (image_test checks) and tools/pkg/ldcache
// (/etc/ld.so.cache); tools/pkg/inspect and tools/pkg/imagesrc share
// Decompress, Clean and IsSparse.
package imagefs
