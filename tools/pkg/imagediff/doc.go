// Package imagediff compares two analyzed images: packages added, removed, upgraded, downgraded or changed; files added, removed or changed (and how); config fields and layers.
//
// Compare works on what inspect.Analyze found, so each image is read once,
// as a stream, and no file content is held: files are compared by the
// sha256 of their content, their mode, owner, link target and type.
// Manifest digests are reported but not compared: a docker-archive keeps
// no manifest, so the same image read from a tarball and from a layout has
// no differences.
package imagediff
