// Package tarball is `distill tarball`: an OCI image layout in, a docker-archive tarball out.
package tarball
