// Package deblayer turns one Debian package into one reproducible image layer, streaming data.tar in the package's own order.
//
// Write reads data.tar once, entry by entry, and writes each kept entry to a
// layer.Stream: names without "./", directories with a trailing "/", every
// mtime the same, owner names empty, uid, gid and permission bits kept,
// hardlinks kept as hardlinks. Parent directories a package omits are
// added as 0755 0:0. Then come var/lib/dpkg/status.d/<pkg> (the control file
// verbatim) and var/lib/dpkg/status.d/<pkg>.md5sums (the md5sums verbatim),
// which vulnerability scanners read.
//
// Unless Options.KeepDocs, documentation is dropped: usr/share/doc/** except
// usr/share/doc/<pkg> itself and usr/share/doc/<pkg>/copyright (licenses),
// and usr/share/{man,info,lintian,doc-base}/**. When usr/share/doc/<pkg> is
// a symlink (Debian Policy 12.5 allows one to the doc directory of another
// package of the same source that the package depends on), the symlink is
// kept: with its dependency's layer in the image it leads to that
// package's copyright, which covers both, so scanners still find a
// license; on its own it dangles, which harms nothing. A kept entry that
// is a hardlink to a dropped file becomes the file (its content is read
// from a second pass over data.tar, from the start, only in that rare
// case) and later hardlinks to the same file point to it.
//
// Refused, with an error naming the package and the entry: absolute names,
// "." or ".." elements, symlinks whose target lexically climbs above the
// image root from the link's directory (or from the root, for absolute
// targets), hardlinks to names that are not earlier regular files of the
// package, character and block devices, FIFOs and other special entries,
// and any truncated or garbled data. setuid and setgid files are allowed
// and reported through Options.Note.
//
// Options.Include and Options.Exclude filter entries by their layer path
// (after the merged-usr move): see CheckPattern for the patterns, which
// also match everything below a path they match. An entry an Exclude
// pattern matches is dropped; when there are Include patterns, an entry
// none of them matches is dropped too, except a directory above a kept
// entry, which is written (with its own mode and owner) just before the
// first kept entry below it. The status.d files are always written. A kept
// hardlink to a file filtered out becomes the file, as for documentation.
//
// With Options.MergedUsr, entries below bin/, sbin/, lib/, lib32/, lib64/
// and libx32/ move below usr/ (symlink targets unchanged: they then resolve
// exactly as on a merged-usr system, where /lib is a symlink to usr/lib),
// the directory entries of those top-level names are dropped, so the
// /lib → usr/lib symlinks of the base layer stay symlinks, and symlinks at
// those top-level names are kept. Two entries that end up at one path are
// an error naming both, unless both are directories with the same mode and
// owner (bookworm packages list lib/x86_64-linux-gnu/ and
// usr/lib/x86_64-linux-gnu/ both).
//
// Options.Read hands the caller the content of chosen regular files (the
// copyright file and os-release, for the SBOM), read in the same pass, kept
// in the layer or not.
package deblayer
