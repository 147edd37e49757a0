// Package lock holds packages.lock.json: the exact Debian packages (versions, pool paths, sha256s, dependencies) that `distill lock` resolved, with its deterministic encoding and validation.
package lock
