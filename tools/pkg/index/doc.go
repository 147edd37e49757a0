// Package index writes an OCI image index over per-platform images as an OCI image layout, and an OCI archive of such a layout.
//
// Write reads each image's own layout (the one `distill layout` wrote),
// checks its manifest and config against their digests and its platform
// against the config, and hard-links every blob into the index's layout
// (copying when linking fails); layer blobs are never re-hashed.
// The layout's index.json names one descriptor, the index, whose blob
// lists the images with their platforms. WriteArchive tars such a layout
// deterministically: an OCI archive, as skopeo's oci-archive: reads it.
package index
