package layout

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// ReadImage returns the one image of the OCI layout at dir and its
// descriptor in index.json.
//
// Unlike go-containerregistry's layout package it follows symlinks: Bazel
// hands a directory input to a sandboxed action as a tree of symlinks. The
// manifest and config are checked against their digests (they are small);
// layer blobs are opened on demand and not re-hashed here.
func ReadImage(dir string) (v1.Image, v1.Descriptor, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return nil, v1.Descriptor{}, fmt.Errorf("reading layout %s: %w", dir, err)
	}
	index, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, v1.Descriptor{}, fmt.Errorf("reading layout %s: index.json: %w", dir, err)
	}
	if len(index.Manifests) != 1 {
		return nil, v1.Descriptor{}, fmt.Errorf("layout %s: index.json lists %d manifests, want 1", dir, len(index.Manifests))
	}
	desc := index.Manifests[0]
	if !desc.MediaType.IsImage() {
		return nil, v1.Descriptor{}, fmt.Errorf("layout %s: %s is a %s, not an image manifest", dir, desc.Digest, desc.MediaType)
	}
	core := &image{dir: dir, mediaType: desc.MediaType}
	if core.manifest, err = core.verified(desc.Digest); err != nil {
		return nil, v1.Descriptor{}, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(core.manifest))
	if err != nil {
		return nil, v1.Descriptor{}, fmt.Errorf("layout %s: manifest %s: %w", dir, desc.Digest, err)
	}
	if core.config, err = core.verified(m.Config.Digest); err != nil {
		return nil, v1.Descriptor{}, err
	}
	core.layers = m.Layers
	img, err := partial.CompressedToImage(core)
	if err != nil {
		return nil, v1.Descriptor{}, fmt.Errorf("layout %s: %w", dir, err)
	}
	return img, desc, nil
}

// image is a partial.CompressedImageCore over the files of a layout.
type image struct {
	dir              string
	mediaType        types.MediaType
	manifest, config []byte
	layers           []v1.Descriptor
}

func (i *image) blobPath(h v1.Hash) string {
	return filepath.Join(i.dir, "blobs", h.Algorithm, h.Hex)
}

// verified reads a small blob and checks it against its digest.
func (i *image) verified(h v1.Hash) ([]byte, error) {
	b, err := os.ReadFile(i.blobPath(h))
	if err != nil {
		return nil, fmt.Errorf("layout %s: %w", i.dir, err)
	}
	got, _, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if got != h {
		return nil, fmt.Errorf("layout %s: blob %s has digest %s: the layout is corrupt", i.dir, h, got)
	}
	return b, nil
}

func (i *image) RawConfigFile() ([]byte, error) { return i.config, nil }

func (i *image) MediaType() (types.MediaType, error) { return i.mediaType, nil }

func (i *image) RawManifest() ([]byte, error) { return i.manifest, nil }

func (i *image) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, d := range i.layers {
		if d.Digest == h {
			return &blob{path: i.blobPath(h), desc: d}, nil
		}
	}
	return nil, fmt.Errorf("layout %s: the manifest has no layer %s", i.dir, h)
}

// blob is one layer blob of a layout, described by its manifest entry.
type blob struct {
	path string
	desc v1.Descriptor
}

func (b *blob) Digest() (v1.Hash, error) { return b.desc.Digest, nil }

func (b *blob) Size() (int64, error) { return b.desc.Size, nil }

func (b *blob) MediaType() (types.MediaType, error) { return b.desc.MediaType, nil }

// Compressed opens the blob file, following symlinks; it must be a regular
// file of the size the manifest gives.
func (b *blob) Compressed() (io.ReadCloser, error) {
	f, err := os.Open(b.path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("layout blob %s is not a regular file", b.path)
	}
	if err == nil && fi.Size() != b.desc.Size {
		err = fmt.Errorf("layout blob %s has %d bytes, the manifest says %d", b.path, fi.Size(), b.desc.Size)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
