// Package indextest builds small per-platform images in OCI layouts, the inputs of an index, for tests.
package indextest
