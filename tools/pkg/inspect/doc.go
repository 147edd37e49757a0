// Package inspect reads an image layer by layer into what it holds: layer sizes, the flattened filesystem, its Debian packages and their sizes, and its config.
//
// Analyze reads each layer blob once, as a stream, from the top layer down:
// it hashes the blob (checked against the manifest digest and size),
// decompresses it (gzip, zstd or none, told by its first bytes), hashes the
// tar (checked against the config's diff_id) and records each entry's
// metadata and the sha256 of each regular file. Contents are never kept,
// except the small package database files (var/lib/dpkg/status.d/*,
// var/lib/dpkg/status, var/lib/dpkg/info/*.md5sums). Whiteouts (.wh.NAME)
// and opaque directories (.wh..wh..opq) hide what lower layers hold, as an
// overlay filesystem does; memory is bounded by the number of paths.
//
// Packages come from var/lib/dpkg/status.d/<pkg> (what distroless images
// and deb_layer write) or var/lib/dpkg/status, each with the file list of
// its md5sums file; a package's size is the sum of the sizes of its listed
// files that the image holds (docs that deb_layer dropped count nothing).
package inspect
