package inspect

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/rules-distill/rules_distill/tools/pkg/imagefs"
)

// SchemaVersion is the version of the JSON form of Image; it grows when a
// field changes meaning or goes away (adding a field keeps it).
const SchemaVersion = 1

// Source says where an image was read from.
type Source struct {
	// Ref is what the user named: a directory, a tarball or a registry reference.
	Ref string `json:"ref"`
	// Kind is oci-layout, oci-archive, docker-archive or registry.
	Kind string `json:"kind"`
	// Digest is the manifest digest; empty for a docker-archive, which keeps no manifest.
	Digest string `json:"digest,omitempty"`
}

// Config is the part of the image config that says how the image runs.
type Config struct {
	OS           string            `json:"os"`
	Architecture string            `json:"architecture"`
	Variant      string            `json:"variant,omitempty"`
	Created      string            `json:"created,omitempty"`
	User         string            `json:"user,omitempty"`
	WorkingDir   string            `json:"workingDir,omitempty"`
	Entrypoint   []string          `json:"entrypoint,omitempty"`
	Cmd          []string          `json:"cmd,omitempty"`
	Env          []string          `json:"env,omitempty"`
	ExposedPorts []string          `json:"exposedPorts,omitempty"`
	Volumes      []string          `json:"volumes,omitempty"`
	Labels       map[string]string `json:"labels,omitempty"`
	StopSignal   string            `json:"stopSignal,omitempty"`
}

// Layer describes one layer.
type Layer struct {
	// Index counts from 0, the bottom layer.
	Index  int    `json:"index"`
	Digest string `json:"digest"`
	DiffID string `json:"diffID"`
	// MediaType is the manifest's; empty for a docker-archive, which
	// records none (go-containerregistry would make a Docker one up).
	MediaType string `json:"mediaType,omitempty"`
	// Compression is gzip, zstd or none, as the blob's first bytes say.
	Compression string `json:"compression"`
	// CompressedSize is the blob's size, UncompressedSize its tar's.
	CompressedSize   int64 `json:"compressedSize"`
	UncompressedSize int64 `json:"uncompressedSize"`
	// Entries counts the tar entries; Files the regular files (with
	// hard links), FileBytes their contents' bytes (hard links add none).
	Entries   int   `json:"entries"`
	Files     int   `json:"files"`
	FileBytes int64 `json:"fileBytes"`
	// Whiteouts counts the paths the layer deletes from the layers below.
	Whiteouts int `json:"whiteouts"`
	// ShadowedBytes are the bytes of this layer's files that layers above
	// replace or delete: in the image's size, not in its filesystem.
	ShadowedBytes int64 `json:"shadowedBytes"`
	// Packages are the packages whose database entry the layer adds.
	Packages []string `json:"packages,omitempty"`
}

// Package is a Debian package of the image.
type Package struct {
	Name         string `json:"name"`
	Version      string `json:"version"`
	Architecture string `json:"architecture,omitempty"`
	Source       string `json:"source,omitempty"`
	// InstalledSizeKiB is the control file's Installed-Size: what the whole
	// .deb installs, docs included.
	InstalledSizeKiB int64 `json:"installedSizeKiB,omitempty"`
	// Listed counts the files of its md5sums; Files those the image holds
	// (deb_layer drops docs), Size their bytes.
	Listed int   `json:"listed"`
	Files  int   `json:"files"`
	Size   int64 `json:"size"`
	// FilesDigest is the sha256 of the sorted "path digest" lines of its
	// files in the image: equal when the files are.
	FilesDigest string `json:"filesDigest"`
	// Layer is the layer holding its database entry.
	Layer int `json:"layer"`
}

// Totals sum up the image.
type Totals struct {
	CompressedSize   int64 `json:"compressedSize"`
	UncompressedSize int64 `json:"uncompressedSize"`
	// Files, Dirs, Symlinks and Other count the paths of the flattened
	// filesystem; FileBytes is the files' bytes.
	Files     int   `json:"files"`
	FileBytes int64 `json:"fileBytes"`
	Dirs      int   `json:"dirs"`
	Symlinks  int   `json:"symlinks"`
	Other     int   `json:"other"`
}

// Unpackaged sums the files that no package lists.
type Unpackaged struct {
	Files int   `json:"files"`
	Size  int64 `json:"size"`
}

// LargeFile is one of the largest files.
type LargeFile struct {
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	Package string `json:"package,omitempty"`
}

// Image is what Analyze found. Its JSON form is the schema of
// `distill inspect --json` (docs/inspect.md).
type Image struct {
	SchemaVersion int    `json:"schemaVersion"`
	Source        Source `json:"source"`
	// ConfigDigest is the config blob's digest: the image ID, the same
	// for every form of one image.
	ConfigDigest string     `json:"configDigest"`
	Config       Config     `json:"config"`
	Totals       Totals     `json:"totals"`
	Layers       []Layer    `json:"layers"`
	Packages     []Package  `json:"packages"`
	Unpackaged   Unpackaged `json:"unpackaged"`
	// LargestFiles are the largest files, largest first.
	LargestFiles []LargeFile `json:"largestFiles"`
	// Files is the flattened filesystem, sorted by path; in the JSON only
	// when asked for.
	Files []File `json:"files,omitempty"`
	// Owner maps a file's path to the package that lists it.
	Owner map[string]string `json:"-"`
}

// Options tune Analyze.
type Options struct {
	// Top is how many of the largest files to list; 0 means 10.
	Top int
}

// Analyze reads every layer of img once and returns what the image holds.
// src says where img came from (its Digest may be empty).
func Analyze(ctx context.Context, img v1.Image, src Source, opts Options) (*Image, error) {
	if opts.Top == 0 {
		opts.Top = 10
	}
	cfgName, err := img.ConfigName()
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading layers: %w", err)
	}
	if len(layers) != len(cf.RootFS.DiffIDs) {
		return nil, fmt.Errorf("the manifest has %d layers, the config %d diff_ids: the image is corrupt", len(layers), len(cf.RootFS.DiffIDs))
	}
	out := &Image{
		SchemaVersion: SchemaVersion,
		Source:        src,
		ConfigDigest:  cfgName.String(),
		Config:        configOf(cf),
		Layers:        make([]Layer, len(layers)),
	}
	fl := newFlattener()
	// Top down: a path is the upper layer's, and a whiteout hides only
	// what is below it, so each layer is merged once it is read.
	for i := len(layers) - 1; i >= 0; i-- {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		l, lc, err := readLayer(layers[i], i, cf.RootFS.DiffIDs[i])
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		l.ShadowedBytes = fl.merge(lc)
		if src.Kind == "docker-archive" {
			l.MediaType = ""
		}
		out.Layers[i] = l
		out.Totals.CompressedSize += l.CompressedSize
		out.Totals.UncompressedSize += l.UncompressedSize
	}
	out.Files = fl.files()
	for _, f := range out.Files {
		switch f.Type {
		case TypeFile:
			out.Totals.Files++
			out.Totals.FileBytes += f.Size
		case TypeDir:
			out.Totals.Dirs++
		case TypeSymlink:
			out.Totals.Symlinks++
		default:
			out.Totals.Other++
		}
	}
	if out.Packages, out.Owner, err = packages(out.Files, fl.captured); err != nil {
		return nil, err
	}
	for _, p := range out.Packages {
		out.Layers[p.Layer].Packages = append(out.Layers[p.Layer].Packages, p.Name)
	}
	for _, f := range out.Files {
		if f.Type == TypeFile && out.Owner[f.Path] == "" {
			out.Unpackaged.Files++
			out.Unpackaged.Size += f.Size
		}
	}
	out.LargestFiles = largest(out.Files, out.Owner, opts.Top)
	return out, nil
}

// readLayer reads one layer blob: hashes and counts the blob and its tar,
// checks them against the manifest and the config, and reads the tar.
func readLayer(l v1.Layer, index int, diffID v1.Hash) (Layer, *LayerContents, error) {
	digest, err := l.Digest()
	if err != nil {
		return Layer{}, nil, err
	}
	size, err := l.Size()
	if err != nil {
		return Layer{}, nil, err
	}
	mt, err := l.MediaType()
	if err != nil {
		return Layer{}, nil, err
	}
	rc, err := l.Compressed()
	if err != nil {
		return Layer{}, nil, fmt.Errorf("opening blob %s: %w", digest, err)
	}
	defer rc.Close()
	blob := newCounter()
	tarStream, compression, err := imagefs.Decompress(io.TeeReader(rc, blob))
	if err != nil {
		return Layer{}, nil, fmt.Errorf("blob %s: %w", digest, err)
	}
	defer tarStream.Close()
	tarHash := newCounter()
	r := io.TeeReader(tarStream, tarHash)
	lc, err := ReadLayer(r, index)
	if err != nil {
		return Layer{}, nil, fmt.Errorf("blob %s: %w", digest, err)
	}
	// The tar's end blocks and padding count in the diff_id and the digest.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return Layer{}, nil, fmt.Errorf("blob %s: %w", digest, err)
	}
	if _, err := io.Copy(io.Discard, io.TeeReader(rc, blob)); err != nil {
		return Layer{}, nil, fmt.Errorf("blob %s: %w", digest, err)
	}
	if got := blob.digest(); got != digest || blob.n != size {
		return Layer{}, nil, fmt.Errorf("blob %s has digest %s and %d bytes, the manifest says %d bytes: the image is corrupt", digest, got, blob.n, size)
	}
	if got := tarHash.digest(); got != diffID {
		return Layer{}, nil, fmt.Errorf("blob %s: its tar has digest %s, the config's diff_id is %s: the image is corrupt", digest, got, diffID)
	}
	out := Layer{
		Index:            index,
		Digest:           digest.String(),
		DiffID:           diffID.String(),
		MediaType:        string(mt),
		Compression:      string(compression),
		CompressedSize:   blob.n,
		UncompressedSize: tarHash.n,
		Entries:          lc.Count,
		FileBytes:        lc.FileBytes,
		Whiteouts:        len(lc.Whiteouts) + len(lc.Opaque),
	}
	for _, f := range lc.Entries {
		if f.Type == TypeFile {
			out.Files++
		}
	}
	return out, lc, nil
}

// counter hashes and counts what is written to it.
type counter struct {
	h hash.Hash
	n int64
}

func newCounter() *counter { return &counter{h: sha256.New()} }

func (c *counter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.h.Write(p)
}

func (c *counter) digest() v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", c.h.Sum(nil))}
}

// configOf takes what says how the image runs out of cf.
func configOf(cf *v1.ConfigFile) Config {
	c := Config{
		OS:           cf.OS,
		Architecture: cf.Architecture,
		Variant:      cf.Variant,
		User:         cf.Config.User,
		WorkingDir:   cf.Config.WorkingDir,
		Entrypoint:   cf.Config.Entrypoint,
		Cmd:          cf.Config.Cmd,
		Env:          cf.Config.Env,
		Labels:       cf.Config.Labels,
		StopSignal:   cf.Config.StopSignal,
	}
	if !cf.Created.IsZero() {
		c.Created = cf.Created.UTC().Format(time.RFC3339)
	}
	for p := range cf.Config.ExposedPorts {
		c.ExposedPorts = append(c.ExposedPorts, p)
	}
	sort.Strings(c.ExposedPorts)
	for v := range cf.Config.Volumes {
		c.Volumes = append(c.Volumes, v)
	}
	sort.Strings(c.Volumes)
	return c
}

// largest returns the top n files by size, largest first, then by path.
func largest(files []File, owner map[string]string, n int) []LargeFile {
	var fs []File
	for _, f := range files {
		if f.Type == TypeFile {
			fs = append(fs, f)
		}
	}
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Size > fs[j].Size })
	if len(fs) > n {
		fs = fs[:n]
	}
	out := []LargeFile{}
	for _, f := range fs {
		out = append(out, LargeFile{Path: f.Path, Size: f.Size, Package: owner[f.Path]})
	}
	return out
}

// flattener merges layers top down into one filesystem.
type flattener struct {
	// visible holds the paths of the layers merged so far, by relative path.
	visible map[string]*File
	// whiteouts and opaque are what the layers merged so far hide below them.
	whiteouts, opaque map[string]bool
	captured          map[string][]byte
}

func newFlattener() *flattener {
	return &flattener{visible: map[string]*File{}, whiteouts: map[string]bool{}, opaque: map[string]bool{}, captured: map[string][]byte{}}
}

// hidden reports whether the layers above hide the path p of a lower layer.
func (fl *flattener) hidden(p string) bool {
	if _, ok := fl.visible[p]; ok || fl.whiteouts[p] {
		return true
	}
	for i := strings.LastIndexByte(p, '/'); i > 0; i = strings.LastIndexByte(p[:i], '/') {
		a := p[:i]
		if fl.whiteouts[a] || fl.opaque[a] {
			return true
		}
		if f, ok := fl.visible[a]; ok && f.Type != TypeDir {
			return true // replaced by a file or symlink above
		}
	}
	return false
}

// merge adds the layer below the ones merged so far and returns the bytes
// of its files that those hide.
func (fl *flattener) merge(lc *LayerContents) int64 {
	var shadowed int64
	// Hidden-ness is decided against the layers above only.
	hide := map[string]bool{}
	for p := range lc.Entries {
		hide[p] = fl.hidden(p)
	}
	for p, f := range lc.Entries {
		if hide[p] {
			if f.Type == TypeFile && f.Target == "" {
				shadowed += f.Size
			}
			continue
		}
		fl.visible[p] = f
		if c, ok := lc.Captured[p]; ok {
			fl.captured[p] = c
		}
	}
	for p := range lc.Whiteouts {
		fl.whiteouts[p] = true
	}
	for p := range lc.Opaque {
		fl.opaque[p] = true
	}
	return shadowed
}

// files returns the flattened filesystem sorted by path.
func (fl *flattener) files() []File {
	out := make([]File, 0, len(fl.visible))
	for _, f := range fl.visible {
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
