// Package load hands an image tarball to the local container runtime: podman or docker, whichever is on PATH.
package load
