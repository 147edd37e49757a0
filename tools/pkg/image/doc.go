// Package image builds an OCI image config and manifest from a spec and layer descriptors, without reading any layer blob.
//
// Build starts from the base image's config (checked against the base's
// descriptor), applies the Spec (entrypoint, cmd, env with $VAR expansion,
// user, workdir, ports, labels, platform), appends one diff_id and one
// history entry per layer and fixes every timestamp to the given time. The
// manifest is an OCI manifest listing the base's layers, then the new ones.
package image
