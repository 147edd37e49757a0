// Package push uploads the image of an OCI layout to a registry, skipping blobs the registry already has and retrying transient failures.
//
// It is go-containerregistry's remote.Write with a longer backoff,
// credentials from the docker and podman config files, and tags set after
// the first push. Blobs are HEADed first, so a second push uploads nothing.
package push
