// Package load is `distill load`: an image tarball in, an image in the local podman or docker out.
package load
