package index

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/layout"
)

// Image is one image of an index.
type Image struct {
	// Platform is where the image runs; it must agree with the image's
	// config (os, architecture, variant).
	Platform v1.Platform
	// Layout is an OCI image layout directory holding the image alone.
	Layout string
}

// Input is everything an index layout holds.
type Input struct {
	// Images are the images in index order, one per platform.
	Images []Image
	// RefName is the org.opencontainers.image.ref.name of the index in the
	// layout's index.json.
	RefName string
}

// Result is what Write wrote.
type Result struct {
	// Index is the raw image index manifest (a blob of the layout).
	Index []byte
	// Descriptor describes Index: media type, size and digest.
	Descriptor v1.Descriptor
}

// ParsePlatform parses "os/architecture[/variant]", e.g. "linux/arm64/v8".
func ParsePlatform(s string) (v1.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" || (len(parts) == 3 && parts[2] == "") {
		return v1.Platform{}, fmt.Errorf("platform %q: want os/architecture[/variant], e.g. linux/amd64 or linux/arm64/v8", s)
	}
	p := v1.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}

// member is an image read from its layout: its manifest descriptor and
// the blobs to put in the index's layout.
type member struct {
	desc  v1.Descriptor
	blobs []blob
}

// blob is a file of an image layout, by digest.
type blob struct {
	digest v1.Hash
	size   int64
	path   string
}

func build(in Input) (Result, []member, error) {
	if in.RefName == "" {
		return Result{}, nil, errors.New("empty ref name: give the index a name for the layout's index.json")
	}
	if len(in.Images) == 0 {
		return Result{}, nil, errors.New("no images: an index lists at least one image")
	}
	seen := map[string]string{}
	var members []member
	var manifests []v1.Descriptor
	for _, img := range in.Images {
		key := platformString(img.Platform)
		if prev, ok := seen[key]; ok {
			return Result{}, nil, fmt.Errorf("images %s and %s are both %s: an index holds one image per platform", prev, img.Layout, key)
		}
		seen[key] = img.Layout
		m, err := readImage(img)
		if err != nil {
			return Result{}, nil, err
		}
		members = append(members, m)
		p := img.Platform
		d := m.desc
		d.Annotations = nil
		d.Platform = &p
		manifests = append(manifests, d)
	}
	mt, err := indexMediaType(manifests)
	if err != nil {
		return Result{}, nil, err
	}
	raw, err := descriptor.Marshal(v1.IndexManifest{SchemaVersion: 2, MediaType: mt, Manifests: manifests})
	if err != nil {
		return Result{}, nil, fmt.Errorf("encoding the index: %w", err)
	}
	digest, size, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return Result{}, nil, err
	}
	return Result{Index: raw, Descriptor: v1.Descriptor{MediaType: mt, Size: size, Digest: digest}}, members, nil
}

// indexMediaType is the OCI image index over OCI manifests and the Docker
// manifest list over Docker ones; a mix is refused.
func indexMediaType(manifests []v1.Descriptor) (types.MediaType, error) {
	var oci, docker []string
	for _, d := range manifests {
		switch d.MediaType {
		case types.OCIManifestSchema1:
			oci = append(oci, d.Digest.String())
		case types.DockerManifestSchema2:
			docker = append(docker, d.Digest.String())
		default:
			return "", fmt.Errorf("image %s is a %s, which an index cannot list", d.Digest, d.MediaType)
		}
	}
	switch {
	case len(docker) == 0:
		return types.OCIImageIndex, nil
	case len(oci) == 0:
		return types.DockerManifestList, nil
	default:
		return "", fmt.Errorf("images %s are OCI but %s are Docker manifests: build them all with the same media types", strings.Join(oci, ", "), strings.Join(docker, ", "))
	}
}

func platformString(p v1.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// readImage reads the one image of img.Layout and checks its platform.
func readImage(img Image) (member, error) {
	dir := img.Layout
	raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return member{}, fmt.Errorf("reading image layout: %w", err)
	}
	idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return member{}, fmt.Errorf("reading image layout %s: index.json: %w", dir, err)
	}
	if len(idx.Manifests) != 1 || !idx.Manifests[0].MediaType.IsImage() {
		return member{}, fmt.Errorf("image layout %s: index.json must list exactly one image manifest (a distroless_image layout), it lists %d entries", dir, len(idx.Manifests))
	}
	desc := idx.Manifests[0]
	manifest, err := verified(dir, desc)
	if err != nil {
		return member{}, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(manifest))
	if err != nil {
		return member{}, fmt.Errorf("image layout %s: manifest %s: %w", dir, desc.Digest, err)
	}
	config, err := verified(dir, m.Config)
	if err != nil {
		return member{}, err
	}
	cfg, err := v1.ParseConfigFile(bytes.NewReader(config))
	if err != nil {
		return member{}, fmt.Errorf("image layout %s: config %s: %w", dir, m.Config.Digest, err)
	}
	got := v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}
	if platformString(got) != platformString(img.Platform) {
		return member{}, fmt.Errorf("image layout %s is %s by its config, not %s: build the image for %s or list it under its own platform", dir, platformString(got), platformString(img.Platform), platformString(img.Platform))
	}
	out := member{desc: desc}
	for _, d := range append([]v1.Descriptor{desc, m.Config}, m.Layers...) {
		out.blobs = append(out.blobs, blob{digest: d.Digest, size: d.Size, path: blobPath(dir, d.Digest)})
	}
	return out, nil
}

func blobPath(dir string, h v1.Hash) string {
	return filepath.Join(dir, "blobs", h.Algorithm, h.Hex)
}

// verified reads a small blob of the layout at dir and checks it against d.
func verified(dir string, d v1.Descriptor) ([]byte, error) {
	b, err := os.ReadFile(blobPath(dir, d.Digest))
	if err != nil {
		return nil, fmt.Errorf("reading image layout: %w", err)
	}
	got, size, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if got != d.Digest || size != d.Size {
		return nil, fmt.Errorf("image layout %s: blob %s has digest %s and %d bytes, want %d: the layout is corrupt, rebuild it", dir, d.Digest, got, size, d.Size)
	}
	return b, nil
}

// Write writes the index over in.Images as an OCI image layout at dir,
// atomically: dir is absent or empty unless Write succeeds. Blobs shared by
// several images (a layer of an arch-independent package) appear once.
func Write(dir string, in Input) (Result, error) {
	res, out, err := Stage(dir, in)
	if err != nil {
		return Result{}, err
	}
	if err := out.Commit(); err != nil {
		return Result{}, err
	}
	return res, nil
}

// Stage is Write without the final rename: the layout is complete in a
// temporary directory that the caller commits (with its other outputs,
// atomicfile.Commit) or aborts.
func Stage(dir string, in Input) (res Result, _ *atomicfile.Dir, err error) {
	res, members, err := build(in)
	if err != nil {
		return Result{}, nil, err
	}
	out, err := atomicfile.CreateDir(dir)
	if err != nil {
		return Result{}, nil, err
	}
	defer func() {
		if err != nil {
			out.Abort()
		}
	}()
	root := out.Temp()
	blobs, err := layout.CreateBlobDir(root)
	if err != nil {
		return Result{}, nil, err
	}
	for _, m := range members {
		for _, b := range m.blobs {
			// A blob shared with an image before is there already.
			if err := layout.LinkBlob(b.path, filepath.Join(blobs, b.digest.Hex), b.size); err != nil {
				return Result{}, nil, fmt.Errorf("image %s: blob %s: %w", m.desc.Digest, b.digest, err)
			}
		}
	}
	if err := layout.WriteFile(filepath.Join(blobs, res.Descriptor.Digest.Hex), res.Index); err != nil {
		return Result{}, nil, err
	}
	if err := layout.WriteIndex(root, res.Descriptor, in.RefName); err != nil {
		return Result{}, nil, err
	}
	return res, out, nil
}
