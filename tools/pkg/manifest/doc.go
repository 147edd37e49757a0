// Package manifest reads packages.yaml, the list of Debian archives, architectures and package names that `distill lock` resolves, and holds the default exclusions.
package manifest
