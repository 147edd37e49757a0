// Package layertest has what the tests of the layer writers share: reading a
// layer blob back and wrapping it for go-containerregistry's validate.Layer.
package layertest
