// Package realregistry starts distribution's `registry` binary (installed by tests/setup.sh) on 127.0.0.1 for tests, with filesystem storage in a temporary directory.
package realregistry
