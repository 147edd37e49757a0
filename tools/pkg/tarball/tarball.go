package tarball

import (
	"archive/tar"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/layout"
)

// Manifest is one image of a docker-archive's manifest.json.
type Manifest struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// Write writes the image of the OCI layout at layoutDir to out as a
// docker-archive tagged with each of tags (REPO:TAG; a missing :TAG means
// :latest), in the order given. out is written atomically.
func Write(out, layoutDir string, tags []string) error {
	recorded, err := repoTags(tags)
	if err != nil {
		return err
	}
	img, _, err := layout.ReadImage(layoutDir)
	if err != nil {
		return err
	}
	f, err := atomicfile.Create(out)
	if err != nil {
		return err
	}
	defer f.Abort()
	w := bufio.NewWriterSize(f, 1<<20)
	if err := write(w, img, recorded); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return f.Commit()
}

// repoTags checks tags and returns them as manifest.json records them,
// without duplicates.
func repoTags(tags []string) ([]string, error) {
	out := []string{}
	for _, t := range tags {
		tag, err := name.NewTag(t)
		if err != nil {
			return nil, fmt.Errorf("tag %q: %w", t, err)
		}
		s := tag.String()
		if !strings.HasSuffix(s, ":"+tag.TagStr()) {
			s += ":" + tag.TagStr() // "app" means "app:latest"
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

func write(w io.Writer, img v1.Image, repoTags []string) error {
	m, err := img.Manifest()
	if err != nil {
		return err
	}
	config, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	record := Manifest{Config: m.Config.Digest.String(), RepoTags: repoTags, Layers: []string{}}
	if err := writeEntry(tw, record.Config, bytes.NewReader(config), int64(len(config))); err != nil {
		return err
	}
	for _, l := range m.Layers {
		file := l.Digest.Hex + extension(l.MediaType)
		if slices.Contains(record.Layers, file) {
			record.Layers = append(record.Layers, file)
			continue // the same layer twice
		}
		record.Layers = append(record.Layers, file)
		if err := writeLayer(tw, img, l, file); err != nil {
			return fmt.Errorf("layer %s: %w", l.Digest, err)
		}
	}
	data, err := descriptor.Marshal([]Manifest{record})
	if err != nil {
		return err
	}
	if err := writeEntry(tw, "manifest.json", bytes.NewReader(data), int64(len(data))); err != nil {
		return err
	}
	return tw.Close()
}

func writeLayer(tw *tar.Writer, img v1.Image, d v1.Descriptor, file string) error {
	l, err := img.LayerByDigest(d.Digest)
	if err != nil {
		return err
	}
	rc, err := l.Compressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	return writeEntry(tw, file, rc, d.Size)
}

func writeEntry(tw *tar.Writer, name string, r io.Reader, size int64) error {
	hdr := &tar.Header{
		Name:     name,
		Typeflag: tar.TypeReg,
		Mode:     0o644,
		Size:     size,
		ModTime:  time.Unix(0, 0),
		// Unset: USTAR, or PAX for a blob of 8 GiB or more.
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	n, err := io.Copy(tw, r)
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("%s has %d bytes, its descriptor says %d", name, n, size)
	}
	return nil
}

// extension is the file name suffix docker and podman expect for a layer.
func extension(mt types.MediaType) string {
	switch mt {
	case types.OCILayerZStd:
		return ".tar.zst"
	case types.OCIUncompressedLayer, types.OCIUncompressedRestrictedLayer, types.DockerUncompressedLayer:
		return ".tar"
	}
	return ".tar.gz"
}
