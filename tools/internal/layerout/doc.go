// Package layerout holds what every layer-writing subcommand shares: the
// --output, --descriptor, --compression, --level and --contents flags, and
// the atomic write of a layer blob with its descriptor and contents.
package layerout
