package descriptor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Layer describes one layer blob: what `distill layer` writes to DESC.json
// and the only thing later actions know about the layer.
type Layer struct {
	MediaType types.MediaType `json:"mediaType"`
	Digest    v1.Hash         `json:"digest"`
	Size      int64           `json:"size"`
	DiffID    v1.Hash         `json:"diffID"`
}

// Descriptor returns the OCI descriptor of the layer blob.
func (l Layer) Descriptor() v1.Descriptor {
	return v1.Descriptor{MediaType: l.MediaType, Size: l.Size, Digest: l.Digest}
}

// Validate reports a descriptor that no OCI manifest could reference.
func (l Layer) Validate() error {
	if !l.MediaType.IsLayer() {
		return fmt.Errorf("mediaType %q is not a layer media type", l.MediaType)
	}
	if l.Size < 0 {
		return fmt.Errorf("negative size %d", l.Size)
	}
	if l.Digest.Algorithm != "sha256" || l.DiffID.Algorithm != "sha256" {
		return fmt.Errorf("digest and diffID must be sha256, got %q and %q", l.Digest, l.DiffID)
	}
	return nil
}

// Image describes a built image: what `distill image` writes to IMAGE.json.
type Image struct {
	Manifest v1.Descriptor `json:"manifest"`
	Config   v1.Descriptor `json:"config"`
	Layers   []Layer       `json:"layers"`
}

// Marshal encodes v the way every distill JSON output is written: compact,
// struct fields in declaration order, map keys sorted, no HTML escaping,
// and a final newline.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ReadLayer reads and validates a layer descriptor file.
func ReadLayer(path string) (Layer, error) {
	var l Layer
	if err := readJSON("layer descriptor", path, &l); err != nil {
		return Layer{}, err
	}
	if err := l.Validate(); err != nil {
		return Layer{}, fmt.Errorf("layer descriptor %s: %w", path, err)
	}
	return l, nil
}

// ReadImage reads and validates an image descriptor file.
func ReadImage(path string) (Image, error) {
	var img Image
	if err := readJSON("image descriptor", path, &img); err != nil {
		return Image{}, err
	}
	if img.Manifest.Digest.Algorithm != "sha256" || img.Config.Digest.Algorithm != "sha256" {
		return Image{}, fmt.Errorf("image descriptor %s: manifest and config digests must be sha256", path)
	}
	for i, l := range img.Layers {
		if err := l.Validate(); err != nil {
			return Image{}, fmt.Errorf("image descriptor %s: layer %d: %w", path, i, err)
		}
	}
	return img, nil
}

func readJSON(what, path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", what, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("parsing %s %s: %w", what, path, err)
	}
	return nil
}
