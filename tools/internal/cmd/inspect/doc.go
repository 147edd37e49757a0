// Package inspect is `distill inspect`: an image (OCI layout, tarball or registry reference) in, its layers, packages, largest files and config out, as tables or JSON.
//
// It also holds what `distill diff` shares with it: the positional
// arguments among flags, the --platform and --insecure flags, and Load.
package inspect
