// Package layerout holds what every layer-writing subcommand shares: the
// --output, --descriptor, --compression and --level flags, and the atomic
// write of a layer blob with its descriptor.
package layerout
