package imagesrc

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/rules-distill/rules_distill/tools/pkg/layout"
)

// Kind is where an image was read from.
type Kind string

// The kinds of sources.
const (
	OCILayout     Kind = "oci-layout"
	OCIArchive    Kind = "oci-archive"
	DockerArchive Kind = "docker-archive"
	Registry      Kind = "registry"
)

// prefixes force the kind of a reference, as skopeo's transports do.
var prefixes = []struct {
	prefix string
	kind   Kind
}{
	{"oci:", OCILayout},
	{"oci-archive:", OCIArchive},
	{"docker-archive:", DockerArchive},
	{"registry:", Registry},
}

// Options tune Open; the zero value is ready to use.
type Options struct {
	// Platform picks one image of an index that lists several (the
	// fields it leaves empty match anything); nil accepts an index of
	// exactly one image.
	Platform *v1.Platform
	// Insecure lets a registry be reached over plain HTTP or with an
	// unverified TLS certificate. Loopback registries (127.0.0.1,
	// localhost) are spoken to in plain HTTP without it.
	Insecure bool
	// Keychain finds registry credentials; nil means
	// authn.DefaultKeychain (the docker and podman config files).
	Keychain authn.Keychain
	// Transport carries registry requests; nil means remote.DefaultTransport.
	Transport http.RoundTripper
}

// Source is an opened image.
type Source struct {
	// Ref is the reference Open was given, without a kind prefix.
	Ref string
	// Kind says how the image was read.
	Kind Kind
	// Image reads the image. Its layers are opened on demand.
	Image v1.Image
	// Digest is the manifest digest; zero for a docker-archive, which
	// keeps no manifest (go-containerregistry makes one up for it).
	Digest v1.Hash
	// Platform is the platform of the image's entry in an index, or nil.
	Platform *v1.Platform

	closer io.Closer
}

// Close releases the files the source holds open.
func (s *Source) Close() error {
	if s.closer == nil {
		return nil
	}
	return s.closer.Close()
}

// Open opens the image that ref names; see the package documentation for
// how ref is understood. Close the Source when done.
func Open(ctx context.Context, ref string, opts Options) (*Source, error) {
	kind := Kind("")
	for _, p := range prefixes {
		if strings.HasPrefix(ref, p.prefix) {
			kind, ref = p.kind, strings.TrimPrefix(ref, p.prefix)
			break
		}
	}
	if ref == "" {
		return nil, errors.New("opening image: empty reference: give an OCI layout directory, an image tarball or a registry reference")
	}
	if kind == "" || kind == OCILayout || kind == OCIArchive || kind == DockerArchive {
		fi, err := os.Stat(ref)
		switch {
		case err == nil && fi.IsDir():
			if kind != "" && kind != OCILayout {
				return nil, fmt.Errorf("opening %s %s: it is a directory; a directory is an OCI layout (oci:%s)", kind, ref, ref)
			}
			return openLayout(ref, opts)
		case err == nil:
			if kind == OCILayout {
				return nil, fmt.Errorf("opening OCI layout %s: not a directory; a tarball is an oci-archive or a docker-archive", ref)
			}
			return openArchive(ref, kind, opts)
		case kind != "":
			return nil, fmt.Errorf("opening %s %s: %w", kind, ref, err)
		case !errors.Is(err, os.ErrNotExist) || looksLikePath(ref):
			return nil, fmt.Errorf("opening image %s: %w", ref, err)
		}
	}
	src, err := openRemote(ctx, ref, opts)
	if err != nil && kind == "" {
		// "bazel-bin/app/image" before the build also names an image on Docker Hub.
		return nil, fmt.Errorf("%w (no file or directory %s exists here either)", err, ref)
	}
	return src, err
}

// looksLikePath reports whether ref can only be meant as a file: it
// could not be a registry reference.
func looksLikePath(ref string) bool {
	if strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, ".") || strings.HasSuffix(ref, ".tar") {
		return true
	}
	_, err := name.ParseReference(ref)
	return err != nil
}

// openLayout opens the OCI image layout directory dir.
func openLayout(dir string, opts Options) (*Source, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return nil, fmt.Errorf("opening OCI layout %s: %w (a layout directory holds index.json, oci-layout and blobs/)", dir, err)
	}
	index, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("opening OCI layout %s: index.json: %w", dir, err)
	}
	if len(index.Manifests) == 1 && index.Manifests[0].MediaType.IsImage() {
		img, desc, err := layout.ReadImage(dir)
		if err != nil {
			return nil, err
		}
		if err := checkPlatform(img, opts.Platform); err != nil {
			return nil, fmt.Errorf("opening OCI layout %s: %w", dir, err)
		}
		return &Source{Ref: dir, Kind: OCILayout, Image: img, Digest: desc.Digest, Platform: desc.Platform}, nil
	}
	src, err := fromBlobs(dirStore{dir: dir}, raw, opts.Platform)
	if err != nil {
		return nil, fmt.Errorf("opening OCI layout %s: %w", dir, err)
	}
	src.Ref, src.Kind = dir, OCILayout
	return src, nil
}

// openArchive opens the tarball path as kind, or finds out its kind when
// kind is "".
func openArchive(path string, kind Kind, opts Options) (*Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening image tarball: %w", err)
	}
	src, err := readArchive(f, path, kind, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	return src, nil
}

func readArchive(f *os.File, path string, kind Kind, opts Options) (*Source, error) {
	var magic [4]byte
	if n, _ := f.ReadAt(magic[:], 0); n == len(magic) {
		for _, c := range []struct {
			name  string
			magic []byte
		}{{"gzip", []byte{0x1f, 0x8b}}, {"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd}}, {"xz", []byte{0xfd, '7', 'z', 'X'}}} {
			if bytes.HasPrefix(magic[:], c.magic) {
				return nil, fmt.Errorf("opening image tarball %s: it is %s-compressed: decompress it first", path, c.name)
			}
		}
	}
	members, err := IndexTar(f)
	if err != nil {
		return nil, fmt.Errorf("opening image tarball %s: %w", path, err)
	}
	if kind == "" {
		switch {
		case members.Has("manifest.json"):
			kind = DockerArchive
		case members.Has("index.json"):
			kind = OCIArchive
		default:
			return nil, fmt.Errorf("opening image tarball %s: it holds neither manifest.json (a docker-archive) nor index.json (an OCI archive)", path)
		}
	}
	if kind == OCIArchive {
		raw, err := members.ReadSmall(f, "index.json")
		if err != nil {
			return nil, fmt.Errorf("opening OCI archive %s: %w", path, err)
		}
		src, err := fromBlobs(tarStore{f: f, members: members}, raw, opts.Platform)
		if err != nil {
			return nil, fmt.Errorf("opening OCI archive %s: %w", path, err)
		}
		src.Ref, src.Kind, src.closer = path, OCIArchive, f
		return src, nil
	}
	raw, err := members.ReadSmall(f, "manifest.json")
	if err != nil {
		return nil, fmt.Errorf("opening docker-archive %s: %w", path, err)
	}
	var m tarball.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("opening docker-archive %s: manifest.json: %w", path, err)
	}
	if len(m) != 1 {
		return nil, fmt.Errorf("opening docker-archive %s: manifest.json lists %d images; this reads archives of one image (skopeo copy can take one out)", path, len(m))
	}
	img, err := tarball.Image(wholeFile(f), nil)
	if err != nil {
		return nil, fmt.Errorf("opening docker-archive %s: %w", path, err)
	}
	if err := checkPlatform(img, opts.Platform); err != nil {
		return nil, fmt.Errorf("opening docker-archive %s: %w", path, err)
	}
	return &Source{Ref: path, Kind: DockerArchive, Image: img, closer: f}, nil
}

// openRemote opens ref in its registry.
func openRemote(ctx context.Context, ref string, opts Options) (*Source, error) {
	var nopts []name.Option
	if opts.Insecure {
		nopts = append(nopts, name.Insecure)
	}
	r, err := name.ParseReference(ref, nopts...)
	if err != nil {
		return nil, fmt.Errorf("opening image %q: not a file, a directory or a registry reference (HOST/REPO:TAG or HOST/REPO@sha256:...): %w", ref, err)
	}
	keychain := opts.Keychain
	if keychain == nil {
		keychain = authn.DefaultKeychain
	}
	transport := opts.Transport
	if transport == nil {
		t := remote.DefaultTransport.(*http.Transport).Clone()
		if opts.Insecure {
			t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for with --insecure
		}
		transport = t
	}
	ropts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(keychain),
		remote.WithTransport(transport),
		remote.WithUserAgent("distill"),
	}
	desc, err := remote.Get(r, ropts...)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", r, err)
	}
	src := &Source{Ref: ref, Kind: Registry, Digest: desc.Digest}
	if !desc.MediaType.IsIndex() {
		if src.Image, err = desc.Image(); err != nil {
			return nil, fmt.Errorf("opening %s: %w", r, err)
		}
		if err := checkPlatform(src.Image, opts.Platform); err != nil {
			return nil, fmt.Errorf("opening %s: %w", r, err)
		}
		return src, nil
	}
	chosen, err := choose(desc.Manifest, func(child v1.Descriptor) ([]byte, error) {
		d, err := remote.Get(r.Context().Digest(child.Digest.String()), ropts...)
		if err != nil {
			return nil, err
		}
		return d.Manifest, nil
	}, opts.Platform)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", r, err)
	}
	if src.Image, err = remote.Image(r.Context().Digest(chosen.Digest.String()), ropts...); err != nil {
		return nil, fmt.Errorf("opening %s: %w", r, err)
	}
	src.Digest, src.Platform = chosen.Digest, chosen.Platform
	return src, nil
}

// checkPlatform fails when platform is set and the config of the single
// image img says it is for another one.
func checkPlatform(img v1.Image, platform *v1.Platform) error {
	if platform == nil {
		return nil
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("reading config: %w", err)
	}
	if p := cf.Platform(); p != nil && !p.Satisfies(*platform) {
		return fmt.Errorf("its one image is for %s, not %s", p, platform)
	}
	return nil
}
