// Package resolve computes the dependency closure of requested Debian packages for one architecture, following Depends and Pre-Depends only and pruning excluded packages.
package resolve
