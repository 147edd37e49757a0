// Package layout writes a built image as an OCI image layout directory, hard-linking layer blobs when it can, and reads one back.
//
// Write checks the config and manifest against the image descriptor (they
// are small) but trusts the descriptor for layer blobs: it only compares
// their sizes, then hard-links them (copies across file systems). The
// directory appears atomically. ReadImage opens the single image of a
// layout with go-containerregistry, for the tarball and push steps.
package layout
