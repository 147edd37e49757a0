// Package imagesrc opens an image to read, from an OCI layout directory, a docker-archive or OCI archive tarball, or a registry.
//
// Open decides by the reference: an existing directory is an OCI image
// layout (Bazel's tree of symlinks is followed), an existing file is a tar
// holding either a docker-archive (manifest.json) or an OCI layout
// (index.json), anything else is a registry reference. A prefix forces the
// kind: "oci:DIR", "oci-archive:FILE", "docker-archive:FILE",
// "registry:REF". When an index lists several images, Options.Platform
// picks one; without it Open fails and lists the platforms there are.
//
// Only the manifest, the config and the index files are read and checked
// against their digests when opening; layer blobs are read on demand, as
// streams, by whoever reads the returned v1.Image. A docker-archive keeps
// no manifest: go-containerregistry makes one up, hashing each layer blob
// once to do so. An OCI archive is indexed once (tar headers only) and its
// blobs are read in place.
package imagesrc
