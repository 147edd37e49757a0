// Package lock is `distill lock`: packages.yaml in, the Debian archive read through tools/pkg/apt, packages.lock.json out.
package lock
