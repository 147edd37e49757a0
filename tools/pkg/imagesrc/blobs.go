package imagesrc

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/rules-distill/rules_distill/tools/pkg/imagefs"
)

// maxSmallBlob bounds the manifests, configs and index files read into
// memory: real ones are a few kB.
const maxSmallBlob = 16 << 20

// maxIndexDepth bounds how deep indexes may nest in one another.
const maxIndexDepth = 4

// blobStore opens the blobs of an OCI layout, wherever it is kept.
type blobStore interface {
	// open returns the blob of digest h and its size.
	open(h v1.Hash) (io.ReadCloser, int64, error)
}

// dirStore is an OCI layout directory; symlinks are followed (Bazel hands
// directories to actions as trees of symlinks).
type dirStore struct{ dir string }

func (s dirStore) open(h v1.Hash) (io.ReadCloser, int64, error) {
	if err := checkHash(h); err != nil {
		return nil, 0, err
	}
	p := filepath.Join(s.dir, "blobs", h.Algorithm, h.Hex)
	f, err := os.Open(p)
	if err != nil {
		return nil, 0, fmt.Errorf("blob %s: %w", h, err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("blob %s is not a regular file", p)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// tarStore is an OCI layout inside a tar file (an OCI archive).
type tarStore struct {
	f       io.ReaderAt
	members *Members
}

func (s tarStore) open(h v1.Hash) (io.ReadCloser, int64, error) {
	if err := checkHash(h); err != nil {
		return nil, 0, err
	}
	name := "blobs/" + h.Algorithm + "/" + h.Hex
	r, err := s.members.Open(s.f, name)
	if err != nil {
		return nil, 0, err
	}
	return io.NopCloser(r), r.Size(), nil
}

// checkHash refuses digests that would name a file outside blobs/.
func checkHash(h v1.Hash) error {
	if h.Algorithm != "sha256" || len(h.Hex) != 64 || strings.Trim(h.Hex, "0123456789abcdef") != "" {
		return fmt.Errorf("digest %q: only sha256 digests of 64 lowercase hex digits are supported", h)
	}
	return nil
}

// readVerified reads the small blob d describes and checks its digest and size.
func readVerified(s blobStore, d v1.Descriptor) ([]byte, error) {
	rc, size, err := s.open(d.Digest)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if size != d.Size {
		return nil, fmt.Errorf("blob %s has %d bytes, its descriptor says %d: the image is corrupt", d.Digest, size, d.Size)
	}
	if size > maxSmallBlob {
		return nil, fmt.Errorf("blob %s has %d bytes, more than the %d a manifest, config or index may have", d.Digest, size, maxSmallBlob)
	}
	b, err := io.ReadAll(io.LimitReader(rc, maxSmallBlob+1))
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", d.Digest, err)
	}
	got, _, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if got != d.Digest || int64(len(b)) != d.Size {
		return nil, fmt.Errorf("blob %s has digest %s and %d bytes: the image is corrupt", d.Digest, got, len(b))
	}
	return b, nil
}

// fromBlobs opens the image that the index (raw JSON) of a layout kept in
// s lists for platform.
func fromBlobs(s blobStore, index []byte, platform *v1.Platform) (*Source, error) {
	desc, err := choose(index, func(d v1.Descriptor) ([]byte, error) { return readVerified(s, d) }, platform)
	if err != nil {
		return nil, err
	}
	core := &blobImage{store: s, mediaType: desc.MediaType}
	if core.manifest, err = readVerified(s, desc); err != nil {
		return nil, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(core.manifest))
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", desc.Digest, err)
	}
	if core.config, err = readVerified(s, m.Config); err != nil {
		return nil, fmt.Errorf("config of manifest %s: %w", desc.Digest, err)
	}
	core.layers = m.Layers
	img, err := partial.CompressedToImage(core)
	if err != nil {
		return nil, err
	}
	return &Source{Image: img, Digest: desc.Digest, Platform: desc.Platform}, nil
}

// blobImage is a partial.CompressedImageCore over a blob store.
type blobImage struct {
	store            blobStore
	mediaType        types.MediaType
	manifest, config []byte
	layers           []v1.Descriptor
}

func (i *blobImage) RawConfigFile() ([]byte, error)      { return i.config, nil }
func (i *blobImage) MediaType() (types.MediaType, error) { return i.mediaType, nil }
func (i *blobImage) RawManifest() ([]byte, error)        { return i.manifest, nil }

func (i *blobImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, d := range i.layers {
		if d.Digest == h {
			return &blobLayer{store: i.store, desc: d}, nil
		}
	}
	return nil, fmt.Errorf("the manifest has no layer %s", h)
}

// blobLayer is one layer blob, described by its manifest entry.
type blobLayer struct {
	store blobStore
	desc  v1.Descriptor
}

func (b *blobLayer) Digest() (v1.Hash, error)            { return b.desc.Digest, nil }
func (b *blobLayer) Size() (int64, error)                { return b.desc.Size, nil }
func (b *blobLayer) MediaType() (types.MediaType, error) { return b.desc.MediaType, nil }

// Compressed opens the blob; it must have the size the manifest gives.
// Its digest is not checked here: readers hash what they read.
func (b *blobLayer) Compressed() (io.ReadCloser, error) {
	rc, size, err := b.store.open(b.desc.Digest)
	if err != nil {
		return nil, err
	}
	if size != b.desc.Size {
		rc.Close()
		return nil, fmt.Errorf("layer blob %s has %d bytes, the manifest says %d", b.desc.Digest, size, b.desc.Size)
	}
	return rc, nil
}

// Members lists the regular files of a tar archive and where their bytes
// are, so that each can be read in place later.
type Members struct {
	m map[string]member
}

type member struct {
	off, size int64
}

// IndexTar reads the headers of the tar archive r (skipping the contents
// with Seek) and returns where each regular file's bytes are. Names are
// cleaned ("./a" and "a" are the same member); hard links name their
// target's bytes; the last of several members of one name wins, as when
// extracting. Memory is bounded by the number of members.
func IndexTar(r io.ReadSeeker) (*Members, error) {
	ms := &Members{m: map[string]member{}}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return ms, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading tar: %w", err)
		}
		name := imagefs.Clean(hdr.Name)
		switch hdr.Typeflag {
		case tar.TypeReg, tar.TypeRegA: //nolint:staticcheck // old archivers write TypeRegA
			if imagefs.IsSparse(hdr) {
				delete(ms.m, name)
				continue
			}
			off, err := r.Seek(0, io.SeekCurrent)
			if err != nil {
				return nil, fmt.Errorf("reading tar: %w", err)
			}
			ms.m[name] = member{off: off, size: hdr.Size}
		case tar.TypeLink:
			target, ok := ms.m[imagefs.Clean(hdr.Linkname)]
			if !ok {
				return nil, fmt.Errorf("reading tar: %s is a hard link to %s, which comes before it in no member", hdr.Name, hdr.Linkname)
			}
			ms.m[name] = target
		default:
			delete(ms.m, name)
		}
	}
}

// Has reports whether the archive holds a regular file name.
func (ms *Members) Has(name string) bool {
	_, ok := ms.m[imagefs.Clean(name)]
	return ok
}

// Open returns the bytes of member name of the archive ra that ms indexes.
func (ms *Members) Open(ra io.ReaderAt, name string) (*io.SectionReader, error) {
	m, ok := ms.m[imagefs.Clean(name)]
	if !ok {
		return nil, fmt.Errorf("the archive has no file %s", name)
	}
	return io.NewSectionReader(ra, m.off, m.size), nil
}

// ReadSmall returns the contents of member name, which must be small (a
// manifest or an index).
func (ms *Members) ReadSmall(ra io.ReaderAt, name string) ([]byte, error) {
	r, err := ms.Open(ra, name)
	if err != nil {
		return nil, err
	}
	if r.Size() > maxSmallBlob {
		return nil, fmt.Errorf("%s has %d bytes, more than the %d it may have", name, r.Size(), maxSmallBlob)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return b, nil
}

// wholeFile returns a tarball.Opener over the whole file f.
func wholeFile(f *os.File) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		fi, err := f.Stat()
		if err != nil {
			return nil, err
		}
		return io.NopCloser(io.NewSectionReader(f, 0, fi.Size())), nil
	}
}
