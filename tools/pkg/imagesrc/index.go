package imagesrc

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// choose returns the descriptor of the image manifest that the index
// (raw JSON) lists for platform, descending into nested indexes, which
// fetch reads. With a nil platform the index must list exactly one image;
// entries for the platform "unknown/unknown" (build attestations) are
// never chosen.
func choose(index []byte, fetch func(v1.Descriptor) ([]byte, error), platform *v1.Platform) (v1.Descriptor, error) {
	var images []v1.Descriptor
	var walk func(raw []byte, depth int) error
	walk = func(raw []byte, depth int) error {
		if depth > maxIndexDepth {
			return fmt.Errorf("indexes nested more than %d deep", maxIndexDepth)
		}
		im, err := v1.ParseIndexManifest(bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("parsing index: %w", err)
		}
		for _, d := range im.Manifests {
			switch {
			case d.MediaType.IsImage():
				if d.Platform != nil && d.Platform.OS == "unknown" {
					continue
				}
				images = append(images, d)
			case d.MediaType.IsIndex():
				child, err := fetch(d)
				if err != nil {
					return fmt.Errorf("index %s: %w", d.Digest, err)
				}
				if err := walk(child, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(index, 0); err != nil {
		return v1.Descriptor{}, err
	}
	if len(images) == 0 {
		return v1.Descriptor{}, fmt.Errorf("the index lists no image manifest")
	}
	matching := images
	if platform != nil {
		matching = nil
		for _, d := range images {
			if d.Platform != nil && d.Platform.Satisfies(*platform) {
				matching = append(matching, d)
			}
		}
	}
	switch {
	case len(matching) == 1:
		return matching[0], nil
	case len(matching) == 0:
		return v1.Descriptor{}, fmt.Errorf("the index has no image for platform %s; it has %s", platform, platforms(images))
	case platform == nil:
		return v1.Descriptor{}, fmt.Errorf("the index lists %d images (%s): choose one with --platform OS/ARCH[/VARIANT]", len(images), platforms(images))
	default:
		return v1.Descriptor{}, fmt.Errorf("the index lists %d images for platform %s (%s): give a more precise --platform", len(matching), platform, platforms(matching))
	}
}

// platforms lists the platforms of images, sorted, for error messages.
func platforms(images []v1.Descriptor) string {
	var ps []string
	for _, d := range images {
		if d.Platform == nil {
			ps = append(ps, "no platform: "+d.Digest.String())
			continue
		}
		ps = append(ps, d.Platform.String())
	}
	sort.Strings(ps)
	return strings.Join(ps, ", ")
}
