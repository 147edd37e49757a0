package layout

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
)

// RefNameAnnotation names the image in index.json.
const RefNameAnnotation = "org.opencontainers.image.ref.name"

// Input is everything a layout holds.
type Input struct {
	// Image describes the image; it is trusted for the layer digests.
	Image descriptor.Image
	// Config and Manifest are the raw blobs that Image describes.
	Config, Manifest []byte
	// Blobs are the layer blob files, in the order of Image.Layers.
	Blobs []string
	// RefName is the org.opencontainers.image.ref.name of the image.
	RefName string
}

// Write writes in as an OCI image layout at dir, atomically: dir is absent
// or empty unless Write succeeds. Layer blobs are hard-linked when possible,
// else copied, and never hashed: their digests come from the descriptor.
func Write(dir string, in Input) error {
	if err := check(in); err != nil {
		return err
	}
	out, err := atomicfile.CreateDir(dir)
	if err != nil {
		return err
	}
	defer out.Abort()
	root := out.Temp()
	blobs, err := CreateBlobDir(root)
	if err != nil {
		return err
	}
	for i, l := range in.Image.Layers {
		if err := LinkBlob(in.Blobs[i], filepath.Join(blobs, l.Digest.Hex), l.Size); err != nil {
			return fmt.Errorf("layer %d (%s): %w", i, l.Digest, err)
		}
	}
	for _, f := range []struct {
		path string
		data []byte
	}{
		{filepath.Join(blobs, in.Image.Config.Digest.Hex), in.Config},
		{filepath.Join(blobs, in.Image.Manifest.Digest.Hex), in.Manifest},
	} {
		if err := WriteFile(f.path, f.data); err != nil {
			return err
		}
	}
	if err := WriteIndex(root, in.Image.Manifest, in.RefName); err != nil {
		return err
	}
	return out.Commit()
}

// CreateBlobDir creates blobs/sha256 in the layout directory root, mode
// 0755 whatever the umask, and returns its path.
func CreateBlobDir(root string) (string, error) {
	blobs := filepath.Join(root, "blobs", "sha256")
	for _, d := range []string{filepath.Join(root, "blobs"), blobs} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return "", fmt.Errorf("creating layout: %w", err)
		}
		if err := os.Chmod(d, 0o755); err != nil { // umask
			return "", fmt.Errorf("creating layout: %w", err)
		}
	}
	return blobs, nil
}

// WriteIndex writes the oci-layout file and the index.json of the layout
// directory root: one manifest (an image's or an index's), desc, named
// refName.
func WriteIndex(root string, desc v1.Descriptor, refName string) error {
	indexJSON, err := descriptor.Marshal(v1.IndexManifest{
		SchemaVersion: 2,
		MediaType:     types.OCIImageIndex,
		Manifests: []v1.Descriptor{{
			MediaType:   desc.MediaType,
			Size:        desc.Size,
			Digest:      desc.Digest,
			Annotations: map[string]string{RefNameAnnotation: refName},
		}},
	})
	if err != nil {
		return fmt.Errorf("encoding index.json: %w", err)
	}
	if err := WriteFile(filepath.Join(root, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`+"\n")); err != nil {
		return err
	}
	return WriteFile(filepath.Join(root, "index.json"), indexJSON)
}

// check verifies that the config, manifest and blobs of in are the ones
// its descriptor describes.
func check(in Input) error {
	if in.RefName == "" {
		return errors.New("empty ref name")
	}
	if len(in.Blobs) != len(in.Image.Layers) {
		return fmt.Errorf("%d blobs for %d layers: pass one blob per layer of the image descriptor, in its order", len(in.Blobs), len(in.Image.Layers))
	}
	for _, b := range []struct {
		what string
		want v1.Descriptor
		data []byte
	}{{"config", in.Image.Config, in.Config}, {"manifest", in.Image.Manifest, in.Manifest}} {
		got, size, _ := v1.SHA256(bytes.NewReader(b.data))
		if got != b.want.Digest || size != b.want.Size {
			return fmt.Errorf("%s has digest %s and size %d, but the image descriptor says %s and %d", b.what, got, size, b.want.Digest, b.want.Size)
		}
	}
	m, err := v1.ParseManifest(bytes.NewReader(in.Manifest))
	if err != nil {
		return fmt.Errorf("parsing manifest: %w", err)
	}
	if m.Config.Digest != in.Image.Config.Digest {
		return fmt.Errorf("manifest references config %s, the image descriptor %s", m.Config.Digest, in.Image.Config.Digest)
	}
	if len(m.Layers) != len(in.Image.Layers) {
		return fmt.Errorf("manifest has %d layers, the image descriptor %d", len(m.Layers), len(in.Image.Layers))
	}
	for i, l := range m.Layers {
		if l.Digest != in.Image.Layers[i].Digest {
			return fmt.Errorf("layer %d: manifest references %s, the image descriptor %s", i, l.Digest, in.Image.Layers[i].Digest)
		}
	}
	return nil
}

// LinkBlob puts the blob src at dst: a hard link to the file src resolves
// to (Bazel passes inputs as symlinks, and directories as trees of them),
// or a copy when linking fails (across file systems). A blob already at
// dst (the same digest twice) is kept. The size is checked; the content is
// trusted: its digest comes from a descriptor.
func LinkBlob(src, dst string, size int64) error {
	if _, err := os.Lstat(dst); err == nil {
		return nil
	}
	real, err := filepath.EvalSymlinks(src)
	if err != nil {
		return fmt.Errorf("resolving blob: %w", err)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return fmt.Errorf("reading blob: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("blob %s is not a regular file", src)
	}
	if fi.Size() != size {
		return fmt.Errorf("blob %s has %d bytes, its descriptor says %d: wrong blob for this layer", src, fi.Size(), size)
	}
	if os.Link(real, dst) == nil {
		return nil
	}
	in, err := os.Open(real)
	if err != nil {
		return fmt.Errorf("opening blob: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("copying blob: %w", err)
	}
	n, err := io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copying blob %s: %w", src, err)
	}
	if n != size {
		return fmt.Errorf("blob %s changed while being copied: %d bytes, want %d", src, n, size)
	}
	return os.Chmod(dst, 0o644)
}

// WriteFile writes a small file of a layout (a manifest, index.json),
// mode 0644 whatever the umask.
func WriteFile(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("writing layout: %w", err)
	}
	if err := os.Chmod(path, 0o644); err != nil { // umask
		return fmt.Errorf("writing layout: %w", err)
	}
	return nil
}
