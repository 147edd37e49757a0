// Package tarball writes the image of an OCI layout as a docker-archive tarball that `docker load` and `podman load` accept.
//
// The archive holds the config blob (named sha256:<hex>, as go-containerregistry
// names it), each layer blob once (<hex>.tar.gz, .tar.zst or .tar) and a
// manifest.json listing Config, RepoTags and Layers. Entries are 0644, owned
// by 0:0, with mtime 0, in that order, so the same image and tags always give
// the same bytes. go-containerregistry's own writer is not used because it
// orders several tags of one image at random.
package tarball
