// Package layer turns a list of entries into a deterministic, compressed layer blob and its descriptor in one streaming pass.
//
// Entries (see Entry, read from ENTRIES.json with ReadEntries) are checked
// first: relative paths without "", "." or ".." elements, one meaning per
// path, parents that are directories. Write then sorts them by path, adds
// missing parent directories as 0755 0:0, and streams the tar through
// sha256 (diff_id), the compressor and sha256 (digest) to its writer.
//
// Every tar entry has the same mtime, empty owner names and no atime or
// ctime; the writer picks USTAR when an entry fits and PAX otherwise. gzip
// is klauspost/pgzip with a pinned level, 1 MiB blocks and 4 blocks in
// flight, no name, mtime 0 and OS 255, so the bytes do not depend on the
// number of cores; zstd is klauspost/compress/zstd with one encoder.
// TestGolden pins the resulting digests.
//
// Stream writes a layer from entries that arrive one by one (the data.tar
// of a Debian package), in the caller's order, with the same tar settings,
// parent directories, compressors and single pass.
//
// With Options.OnFile, Write and Stream also report each regular file's
// path and the sha256 of its content (the SBOM's file list), hashed on the
// bytes' way into the tar: no second read, and the same layer bytes.
package layer
