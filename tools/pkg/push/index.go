package push

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	ggcrlayout "github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// isIndexLayout reports whether the index.json of the OCI layout at dir
// names exactly one image index (an `image_index` layout). Any problem
// reading it says no: Push then reports it for an image layout.
func isIndexLayout(dir string) bool {
	raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return false
	}
	m, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	return err == nil && len(m.Manifests) == 1 && m.Manifests[0].MediaType.IsIndex()
}

// PushIndex uploads the image index of the OCI layout at layoutDir (as
// `image_index` writes it) to repository: each image as Push does (the blobs
// the registry lacks, then its manifest by digest), then the index, tagged
// with each of tags (by digest only without tags), every step retried on
// its own. It returns the index's digest reference.
func PushIndex(ctx context.Context, layoutDir, repository string, tags []string, opts Options) (name.Digest, error) {
	repo, refs, err := references(repository, tags)
	if err != nil {
		return name.Digest{}, err
	}
	if !isIndexLayout(layoutDir) {
		return name.Digest{}, fmt.Errorf("layout %s: index.json must name one image index (an image_index output); push an image layout with Push", layoutDir)
	}
	top, err := ggcrlayout.ImageIndexFromPath(layoutDir)
	if err != nil {
		return name.Digest{}, fmt.Errorf("reading index layout %s: %w", layoutDir, err)
	}
	m, err := top.IndexManifest()
	if err != nil {
		return name.Digest{}, fmt.Errorf("reading index layout %s: %w", layoutDir, err)
	}
	desc := m.Manifests[0]
	idx, err := top.ImageIndex(desc.Digest)
	if err != nil {
		return name.Digest{}, fmt.Errorf("reading index %s from layout %s: %w", desc.Digest, layoutDir, err)
	}
	if got, err := idx.Digest(); err != nil || got != desc.Digest {
		return name.Digest{}, fmt.Errorf("layout %s: the index blob does not have digest %s (%v): the layout is corrupt, rebuild it", layoutDir, desc.Digest, err)
	}
	digest := repo.Digest(desc.Digest.String())
	targets := pushTargets(digest, refs)
	if err := writeIndex(ctx, idx, targets, opts.remoteOptions(ctx), opts.backoff()); err != nil {
		return name.Digest{}, fmt.Errorf("pushing index %s: %w", targets[0], err)
	}
	return digest, nil
}

// writeIndex pushes every image of idx by digest (writeImage), then puts
// idx as each of refs.
func writeIndex(ctx context.Context, idx v1.ImageIndex, refs []name.Reference, ropts []remote.Option, backoff remote.Backoff) error {
	m, err := idx.IndexManifest()
	if err != nil {
		return fmt.Errorf("reading the index manifest: %w", err)
	}
	repo := refs[0].Context()
	for _, d := range m.Manifests {
		if !d.MediaType.IsImage() {
			return fmt.Errorf("index entry %s is a %s: an image_index holds images only", d.Digest, d.MediaType)
		}
		img, err := idx.Image(d.Digest)
		if err != nil {
			return fmt.Errorf("reading image %s: %w", d.Digest, err)
		}
		if err := writeImage(ctx, img, []name.Reference{repo.Digest(d.Digest.String())}, ropts, backoff); err != nil {
			return fmt.Errorf("image %s: %w", d.Digest, err)
		}
	}
	pusher, err := newPusher(ctx, ropts)
	if err != nil {
		return err
	}
	return putManifest(ctx, pusher, idx, refs, backoff)
}
