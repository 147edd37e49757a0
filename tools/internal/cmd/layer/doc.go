// Package layer is `distill layer`: entries in, layer blob and descriptor out.
package layer
