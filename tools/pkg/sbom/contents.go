package sbom

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/rules-distill/rules_distill/tools/pkg/layer"
)

// Contents is what one layer holds, as the SBOM lists it: the layer
// actions write it (CONTENTS.json) in the same pass as the blob, and
// `distill sbom` reads one per layer of an image.
type Contents struct {
	// Layer is the digest of the layer blob these contents are of.
	Layer v1.Hash `json:"layer"`
	// Packages are the Debian packages the layer comes from (one for a
	// deb_layer, none for other layers).
	Packages []Package `json:"packages,omitempty"`
	// Files are the layer's regular files with their sha256, sorted by path.
	// A deb_layer lists its package instead of its files.
	Files []layer.FileSum `json:"files,omitempty"`
	// OSRelease is the os-release the layer writes (usr/lib/os-release or
	// etc/os-release), if it writes one.
	OSRelease *OSRelease `json:"osRelease,omitempty"`
}

// Package is one Debian binary package, from its .deb.
type Package struct {
	// Name, Version and Architecture are the control file's Package,
	// Version and Architecture.
	Name         string `json:"name"`
	Version      string `json:"version"`
	Architecture string `json:"architecture"`
	// Source and SourceVersion name the source package (the control file's
	// Source field; the binary package's name and version when it has none).
	Source        string `json:"source"`
	SourceVersion string `json:"sourceVersion"`
	// Homepage is the control file's Homepage, or empty.
	Homepage string `json:"homepage,omitempty"`
	// License is an SPDX license expression made from the machine-readable
	// (DEP-5) usr/share/doc/<name>/copyright, or NOASSERTION; see License.
	License string `json:"license"`
	// FileName is the .deb's file name.
	FileName string `json:"fileName"`
	// SHA256 and Size are those of the .deb.
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// OSRelease holds the fields of os-release(5) that name a distribution.
type OSRelease struct {
	ID              string `json:"id"`
	VersionID       string `json:"versionId,omitempty"`
	VersionCodename string `json:"versionCodename,omitempty"`
}

// Distro returns the purl distro qualifier, e.g. "debian-12", or "" when
// ID or VERSION_ID is missing.
func (o *OSRelease) Distro() string {
	if o == nil || o.ID == "" || o.VersionID == "" {
		return ""
	}
	return o.ID + "-" + o.VersionID
}

// OSReleasePaths are the layer paths where an os-release file is read.
var OSReleasePaths = []string{"usr/lib/os-release", "etc/os-release"}

// ParseOSRelease reads ID, VERSION_ID and VERSION_CODENAME from an
// os-release file (shell-style KEY=value lines, values optionally quoted).
// It returns nil when the file has no ID.
func ParseOSRelease(data []byte) *OSRelease {
	var o OSRelease
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, value, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.HasPrefix(key, "#") {
			continue
		}
		value = strings.TrimSpace(value)
		if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		switch key {
		case "ID":
			o.ID = value
		case "VERSION_ID":
			o.VersionID = value
		case "VERSION_CODENAME":
			o.VersionCodename = value
		}
	}
	if o.ID == "" {
		return nil
	}
	return &o
}

// Marshal returns c as JSON, files sorted by path: the same contents give
// the same bytes.
func (c Contents) Marshal() ([]byte, error) {
	c.Files = append([]layer.FileSum(nil), c.Files...)
	sort.Slice(c.Files, func(i, j int) bool { return c.Files[i].Path < c.Files[j].Path })
	c.Packages = append([]Package(nil), c.Packages...)
	sort.Slice(c.Packages, func(i, j int) bool { return packageKey(c.Packages[i]) < packageKey(c.Packages[j]) })
	b, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		return nil, fmt.Errorf("encoding layer contents: %w", err)
	}
	return append(b, '\n'), nil
}

// ReadContents reads a CONTENTS.json written by a layer action.
func ReadContents(path string) (Contents, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Contents{}, fmt.Errorf("reading layer contents: %w", err)
	}
	var c Contents
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&c); err != nil {
		return Contents{}, fmt.Errorf("reading layer contents %s: %w; rebuild the layer with this distill", path, err)
	}
	return c, nil
}

func packageKey(p Package) string {
	return p.Name + "\x00" + p.Architecture + "\x00" + p.Version + "\x00" + p.SHA256
}
