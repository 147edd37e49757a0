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
	// Backoff paces retries of requests that failed transiently (network
	// errors, 408, 429, 5xx); zero means DefaultBackoff.
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
// It returns the pushed manifest's digest reference.
func Push(ctx context.Context, layoutDir, repository string, tags []string, opts Options) (name.Digest, error) {
	repo, err := name.NewRepository(repository)
	if err != nil {
		return name.Digest{}, fmt.Errorf("repository %q: %w", repository, err)
	}
	refs := make([]name.Tag, len(tags))
	for i, t := range tags {
		if refs[i], err = name.NewTag(repository + ":" + t); err != nil {
			return name.Digest{}, fmt.Errorf("tag %q: %w", t, err)
		}
	}
	img, desc, err := layout.ReadImage(layoutDir)
	if err != nil {
		return name.Digest{}, err
	}
	digest := repo.Digest(desc.Digest.String())
	if opts.Backoff == (remote.Backoff{}) {
		opts.Backoff = DefaultBackoff
	}
	if opts.Keychain == nil {
		opts.Keychain = authn.DefaultKeychain
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "distill"
	}
	ropts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(opts.Keychain),
		remote.WithRetryBackoff(opts.Backoff),
		remote.WithUserAgent(opts.UserAgent),
	}
	if opts.Transport != nil {
		ropts = append(ropts, remote.WithTransport(opts.Transport))
	}
	if len(refs) == 0 {
		if err := remote.Write(digest, img, ropts...); err != nil {
			return name.Digest{}, fmt.Errorf("pushing %s: %w", digest, err)
		}
		return digest, nil
	}
	if err := remote.Write(refs[0], img, ropts...); err != nil {
		return name.Digest{}, fmt.Errorf("pushing %s: %w", refs[0], err)
	}
	for _, ref := range refs[1:] {
		if err := remote.Tag(ref, img, ropts...); err != nil {
			return name.Digest{}, fmt.Errorf("tagging %s: %w", ref, err)
		}
	}
	return digest, nil
}
