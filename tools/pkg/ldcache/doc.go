// Package ldcache writes /etc/ld.so.cache, the library cache that glibc's
// ldconfig builds and the dynamic loader reads, from the layers of an
// image, without running ldconfig.
//
// The file is glibc's "new" format only, as ldconfig ≥ 2.32 writes it by
// default (`ldconfig -c new`, little endian): the 48-byte header
// ("glibc-ld.so.cache" "1.1", nlibs, len_strings, flags = 2 for little
// endian, extension_offset), nlibs 24-byte entries (flags, key, value,
// osversion = 0, hwcap = 0), the string table, and, aligned to 4 bytes, the
// extension directory with one section: the generator string. String
// offsets count from the start of the file. The string table is built the
// way glibc's stringtable.c builds it (unique strings sorted by their
// reversed bytes, longest first, sharing tails with the string before),
// and the entries are in the order of ldconfig's sorted list
// (_dl_cache_libcmp on the key, descending, digit runs compared as
// numbers; ties in directory order), so that for the same files the bytes
// equal those of the host's ldconfig (checked in the tests against
// `ldconfig -r ROOT -X`).
//
// Tree holds the files of the layers, flattened by tools/pkg/imagefs (later
// layers override earlier ones; OCI whiteouts and opaque directories are
// honoured); Tree.Entries scans
// the directories ldconfig scans by default on Debian — /lib/<triplet>,
// /usr/lib/<triplet>, /lib, /usr/lib, in that order; /etc/ld.so.conf is
// not read — the way ldconfig's search_dir does: a directory reached
// twice through symlinks (merged /usr) is scanned once, under its first
// name; names starting with "lib" or "ld-" and containing ".so" are
// considered; a file (or a symlink to one) that is a 64-bit ELF shared
// object of the architecture's machine with a dynamic section is a
// library, keyed by its DT_SONAME (its own name without one); a symlink
// named like the soname, or the development link "libfoo.so" of a
// "libfoo.so.N", keeps its own name as key. Each key gets one entry per
// directory, whose value is <directory>/<key>.
//
// Not done, as ldconfig would: hwcap and glibc-hwcaps subdirectories,
// 32-bit and x32 libraries, the directories of /etc/ld.so.conf, the old
// cache format.
package ldcache
