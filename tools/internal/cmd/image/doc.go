// Package image is `distill image`: spec and layer descriptors in, config, manifest and image descriptor out.
package image
