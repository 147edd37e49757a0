package push

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/rules-distill/rules_distill/tools/pkg/layout"
)

// DefaultBackoff waits 1s, 2s, 4s, 8s between five attempts of a request.
var DefaultBackoff = remote.Backoff{Duration: time.Second, Factor: 2, Jitter: 0.1, Steps: 5}

// Options tune a push; the zero value is ready to use.
type Options struct {
	// Backoff paces the retries of each blob upload and manifest put that
	// failed transiently (connection resets, 408, 429, 5xx); Steps is how
	// many times each is tried. Zero means DefaultBackoff.
	Backoff remote.Backoff
	// Transport carries the HTTP requests; nil means remote.DefaultTransport.
	Transport http.RoundTripper
	// Keychain finds credentials; nil means authn.DefaultKeychain (the
	// docker and podman config files and credential helpers).
	Keychain authn.Keychain
	// UserAgent is sent with every request; "" means "distill".
	UserAgent string
}

// Push uploads the image of the OCI layout at layoutDir to repository
// (HOST/REPO) and tags it with each of tags; with no tags the image is
// pushed by digest only. Blobs the registry has are not uploaded again.
// Loopback and private-network registries are spoken to in plain HTTP.
// An `image_index` layout is pushed with PushIndex. It returns the pushed
// manifest's digest reference.
func Push(ctx context.Context, layoutDir, repository string, tags []string, opts Options) (name.Digest, error) {
	if isIndexLayout(layoutDir) { // an image_index layout: see index.go
		return PushIndex(ctx, layoutDir, repository, tags, opts)
	}
	repo, refs, err := references(repository, tags)
	if err != nil {
		return name.Digest{}, err
	}
	img, desc, err := layout.ReadImage(layoutDir)
	if err != nil {
		return name.Digest{}, err
	}
	digest := repo.Digest(desc.Digest.String())
	targets := pushTargets(digest, refs)
	// The blobs first, the manifest (so the tags) only once all of them are
	// there, each step retried on its own (retry.go).
	if err := writeImage(ctx, img, targets, opts.remoteOptions(ctx), opts.backoff()); err != nil {
		return name.Digest{}, fmt.Errorf("pushing %s: %w", targets[0], err)
	}
	return digest, nil
}

// references parses repository and the tags to set in it.
func references(repository string, tags []string) (name.Repository, []name.Tag, error) {
	repo, err := name.NewRepository(repository)
	if err != nil {
		return name.Repository{}, nil, fmt.Errorf("repository %q: %w", repository, err)
	}
	refs := make([]name.Tag, len(tags))
	for i, t := range tags {
		if refs[i], err = name.NewTag(repository + ":" + t); err != nil {
			return name.Repository{}, nil, fmt.Errorf("tag %q: %w", t, err)
		}
	}
	return repo, refs, nil
}

// pushTargets are the references a manifest is put as: each tag, or its
// digest when there is none.
func pushTargets(digest name.Digest, tags []name.Tag) []name.Reference {
	if len(tags) == 0 {
		return []name.Reference{digest}
	}
	targets := make([]name.Reference, len(tags))
	for i, t := range tags {
		targets[i] = t
	}
	return targets
}

// backoff is o.Backoff, or DefaultBackoff when it is zero.
func (o Options) backoff() remote.Backoff {
	if o.Backoff == (remote.Backoff{}) {
		return DefaultBackoff
	}
	return o.Backoff
}

// remoteOptions are the go-containerregistry options of a push with o,
// the zero fields given their defaults.
func (o Options) remoteOptions(ctx context.Context) []remote.Option {
	if o.Keychain == nil {
		o.Keychain = authn.DefaultKeychain
	}
	if o.UserAgent == "" {
		o.UserAgent = "distill"
	}
	ropts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(o.Keychain),
		remote.WithRetryBackoff(o.backoff()),
		remote.WithUserAgent(o.UserAgent),
	}
	if o.Transport != nil {
		ropts = append(ropts, remote.WithTransport(o.Transport))
	}
	return ropts
}
