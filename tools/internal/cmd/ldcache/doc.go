// Package ldcache is `distill ld-so-cache`: the layer of /etc/ld.so.cache
// (tools/pkg/ldcache) made from the layer blobs of an image.
package ldcache
