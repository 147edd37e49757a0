// Package debianbuild is `distill debian-build`: the BUILD file of a
// debian_packages repository, from its lock.
package debianbuild
