// Package push uploads the image of an OCI layout to a registry, skipping blobs the registry already has and retrying transient failures.
//
// It is built on go-containerregistry's remote.Pusher: each blob is HEADed
// first (a second push uploads nothing) and uploaded only when missing;
// the manifest is put, and the tags set, only once every blob is there,
// so a push that fails leaves no tag behind. Each blob upload and each
// manifest put is tried up to Options.Backoff.Steps times on transient
// failures (connection resets, 408, 429, 5xx), waiting longer each time
// and stopping at once when the context ends; a step that fails for good
// is reported in one line with the blob and the attempts it took.
// Credentials come from the docker and podman config files.
package push
