package sbom

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// Creator is the SPDX creator of every document distill writes.
const Creator = "rules_distill-distill"

// Image is what an SBOM describes: one image and the contents of its layers.
type Image struct {
	// Name names the image (the Bazel label of the image target); it is the
	// document's name and the image package's name.
	Name string
	// Digest is the image manifest's digest.
	Digest v1.Hash
	// OS and Architecture are the image's platform, e.g. "linux", "amd64".
	OS, Architecture string
	// Created is the document's creation time (SOURCE_DATE_EPOCH).
	Created time.Time
	// Layers are the contents of the image's layers, in image order, the
	// base image's first.
	Layers []Contents
}

// Namespace returns the document namespace of an SBOM of the image with
// name and digest: "urn:uuid:" and a UUID (RFC 9562 version 8) made from
// the sha256 of both, so the same image always gets the same namespace and
// two images never share one. No host name is involved.
func Namespace(name string, digest v1.Hash) string {
	sum := sha256.Sum256([]byte("rules_distill SPDX namespace\x00" + name + "\x00" + digest.String()))
	u := sum[:16]
	u[6] = u[6]&0x0f | 0x80 // version 8
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	h := hex.EncodeToString(u)
	return fmt.Sprintf("urn:uuid:%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

// Document returns the SPDX 2.3 document of img:
//
//   - the document DESCRIBES one package for the image: its name, the
//     manifest digest as version and SHA256 checksum, a pkg:oci purl,
//     primary purpose CONTAINER;
//   - the image CONTAINS one package per Debian package of its layers
//     (name, version, architecture, source, the .deb's file name and
//     sha256, the license declared by its DEP-5 copyright file or
//     NOASSERTION, a pkg:deb purl with arch and, when an os-release is in
//     the image, distro) and one file per regular file of its other layers
//     (path, sha256). A path a later layer writes again is listed once,
//     with the later content; a package in several layers is listed once.
//
// Everything is sorted (packages by name, architecture and version; files
// by path), IDs are derived from what they name, and the creation time is
// img.Created, so the same image gives the same document.
func Document(img Image) (*spdx.Document, error) {
	if img.Name == "" {
		return nil, fmt.Errorf("building SBOM: the image has no name")
	}
	if img.Digest.Algorithm != "sha256" || len(img.Digest.Hex) != 64 {
		return nil, fmt.Errorf("building SBOM of %s: digest %q is not sha256:<64 hex>", img.Name, img.Digest)
	}
	var osRelease *OSRelease
	files := map[string]*spdx.File{}
	pkgs := map[string]Package{}
	for _, l := range img.Layers {
		if l.OSRelease != nil {
			osRelease = l.OSRelease
		}
		for _, f := range l.Files {
			files[f.Path] = &spdx.File{
				FileName:           "./" + f.Path,
				FileSPDXIdentifier: common.ElementID("File-" + shortHash(f.Path)),
				Checksums:          []common.Checksum{{Algorithm: common.SHA256, Value: f.SHA256}},
				LicenseConcluded:   NoAssertion,
				FileCopyrightText:  NoAssertion,
			}
		}
		for _, p := range l.Packages {
			pkgs[packageKey(p)] = p
		}
	}

	image := &spdx.Package{
		PackageName:             img.Name,
		PackageSPDXIdentifier:   "Image",
		PackageVersion:          img.Digest.String(),
		PackageDownloadLocation: NoAssertion,
		FilesAnalyzed:           false,
		PackageChecksums:        []common.Checksum{{Algorithm: common.SHA256, Value: img.Digest.Hex}},
		PackageLicenseConcluded: NoAssertion,
		PackageLicenseDeclared:  NoAssertion,
		PackageCopyrightText:    NoAssertion,
		PrimaryPackagePurpose:   "CONTAINER",
		PackageExternalReferences: []*spdx.PackageExternalReference{{
			Category: common.CategoryPackageManager,
			RefType:  common.TypePackageManagerPURL,
			Locator:  ociPURL(img),
		}},
	}
	doc := &spdx.Document{
		SPDXVersion:       spdx.Version,
		DataLicense:       spdx.DataLicense,
		SPDXIdentifier:    "DOCUMENT",
		DocumentName:      img.Name,
		DocumentNamespace: Namespace(img.Name, img.Digest),
		CreationInfo: &spdx.CreationInfo{
			Creators: []common.Creator{{CreatorType: "Tool", Creator: Creator}},
			Created:  img.Created.UTC().Format(time.RFC3339),
		},
		Packages: []*spdx.Package{image},
		Relationships: []*spdx.Relationship{{
			RefA:         common.MakeDocElementID("", "DOCUMENT"),
			RefB:         common.MakeDocElementID("", string(image.PackageSPDXIdentifier)),
			Relationship: common.TypeRelationshipDescribe,
		}},
	}

	keys := make([]string, 0, len(pkgs))
	for k := range pkgs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	refs := map[string]string{} // LicenseRef → the package that names it first
	for _, k := range keys {
		p := pkgs[k]
		sp, err := debPackage(p, osRelease.Distro())
		if err != nil {
			return nil, fmt.Errorf("building SBOM of %s: %w", img.Name, err)
		}
		for _, r := range LicenseRefs(sp.PackageLicenseDeclared) {
			if _, ok := refs[r]; !ok {
				refs[r] = p.Name
			}
		}
		doc.Packages = append(doc.Packages, sp)
		doc.Relationships = append(doc.Relationships, contains(image, sp.PackageSPDXIdentifier))
	}

	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		f := files[p]
		doc.Files = append(doc.Files, f)
		doc.Relationships = append(doc.Relationships, contains(image, f.FileSPDXIdentifier))
	}

	names := make([]string, 0, len(refs))
	for r := range refs {
		names = append(names, r)
	}
	sort.Strings(names)
	for _, r := range names {
		doc.OtherLicenses = append(doc.OtherLicenses, &spdx.OtherLicense{
			LicenseIdentifier: r,
			LicenseName:       strings.TrimPrefix(r, "LicenseRef-"),
			ExtractedText: fmt.Sprintf("A license without an SPDX identifier, which Debian's machine-readable copyright files name %q; "+
				"its text is in /usr/share/doc/%s/copyright in the image.", strings.TrimPrefix(r, "LicenseRef-"), refs[r]),
		})
	}
	return doc, nil
}

// Write writes doc as indented JSON with tools-golang's writer.
func Write(w io.Writer, doc *spdx.Document) error {
	if err := spdxjson.Write(doc, w, spdxjson.Indent(" "), spdxjson.EscapeHTML(false)); err != nil {
		return fmt.Errorf("writing SPDX JSON: %w", err)
	}
	return nil
}

func contains(image *spdx.Package, id common.ElementID) *spdx.Relationship {
	return &spdx.Relationship{
		RefA:         common.MakeDocElementID("", string(image.PackageSPDXIdentifier)),
		RefB:         common.MakeDocElementID("", string(id)),
		Relationship: common.TypeRelationshipContains,
	}
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

func debPackage(p Package, distro string) (*spdx.Package, error) {
	if p.Name == "" || p.Version == "" || p.Architecture == "" {
		return nil, fmt.Errorf("package %q %q %q: name, version and architecture are required; rebuild its layer", p.Name, p.Version, p.Architecture)
	}
	if !hex64.MatchString(p.SHA256) {
		return nil, fmt.Errorf("package %s: sha256 %q is not 64 lowercase hex digits; rebuild its layer", p.Name, p.SHA256)
	}
	license := p.License
	if license == "" {
		license = NoAssertion
	}
	source := fmt.Sprintf("built from the Debian source package %s %s", p.Source, p.SourceVersion)
	return &spdx.Package{
		PackageName:             p.Name,
		PackageSPDXIdentifier:   common.ElementID("Package-deb-" + idSafe(p.Name) + "-" + shortHash(packageKey(p))),
		PackageVersion:          p.Version,
		PackageFileName:         p.FileName,
		PackageDownloadLocation: NoAssertion,
		FilesAnalyzed:           false,
		PackageChecksums:        []common.Checksum{{Algorithm: common.SHA256, Value: p.SHA256}},
		PackageHomePage:         p.Homepage,
		PackageSourceInfo:       source,
		PackageLicenseConcluded: NoAssertion,
		PackageLicenseDeclared:  license,
		PackageCopyrightText:    NoAssertion,
		PrimaryPackagePurpose:   "OPERATING-SYSTEM",
		PackageExternalReferences: []*spdx.PackageExternalReference{{
			Category: common.CategoryPackageManager,
			RefType:  common.TypePackageManagerPURL,
			Locator:  DebPURL(p, distro),
		}},
	}, nil
}

// DebPURL returns the package URL of p: pkg:deb/debian/NAME@VERSION with
// the qualifiers arch, distro (when not empty, e.g. "debian-12") and
// upstream (the source package, when its name differs), in that order.
func DebPURL(p Package, distro string) string {
	q := "arch=" + url.QueryEscape(p.Architecture)
	if distro != "" {
		q += "&distro=" + url.QueryEscape(distro)
	}
	if p.Source != "" && p.Source != p.Name {
		q += "&upstream=" + url.QueryEscape(p.Source)
	}
	return "pkg:deb/debian/" + url.PathEscape(p.Name) + "@" + purlEscape(p.Version) + "?" + q
}

// purlEscape percent-encodes a purl version: "+" and ":" too ("~" stays).
func purlEscape(s string) string {
	return strings.NewReplacer("+", "%2B", ":", "%3A").Replace(url.PathEscape(s))
}

func ociPURL(img Image) string {
	name := img.Name
	if i := strings.LastIndexAny(name, "/:"); i >= 0 {
		name = name[i+1:]
	}
	q := ""
	if img.Architecture != "" {
		q = "?arch=" + url.QueryEscape(img.Architecture)
	}
	return "pkg:oci/" + url.PathEscape(strings.ToLower(idSafe(name))) + "@" + url.PathEscape(img.Digest.String()) + q
}

var notID = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

func idSafe(s string) string {
	return strings.Trim(notID.ReplaceAllString(s, "-"), "-")
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}
