package sbom

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdxlib"

	"github.com/rules-distill/rules_distill/tools/pkg/layer"
)

func hash(c byte) string { return strings.Repeat(string(c), 64) }

func testImage() Image {
	return Image{
		Name:         "//app:image",
		Digest:       v1.Hash{Algorithm: "sha256", Hex: hash('d')},
		OS:           "linux",
		Architecture: "amd64",
		Created:      time.Unix(1700000000, 0),
		Layers: []Contents{
			{
				Layer:     v1.Hash{Algorithm: "sha256", Hex: hash('1')},
				Files:     []layer.FileSum{{Path: "usr/lib/os-release", SHA256: hash('a'), Size: 10}, {Path: "etc/passwd", SHA256: hash('b'), Size: 20}},
				OSRelease: &OSRelease{ID: "debian", VersionID: "12"},
			},
			{
				Layer: v1.Hash{Algorithm: "sha256", Hex: hash('2')},
				Packages: []Package{{
					Name: "libc6", Version: "2.36-9+deb12u4", Architecture: "amd64", Source: "glibc", SourceVersion: "2.36-9+deb12u4",
					License: "LGPL-2.1-or-later AND LicenseRef-public-domain", FileName: "libc6_2.36-9+deb12u4_amd64.deb", SHA256: hash('c'), Size: 100,
				}},
			},
			{
				Layer: v1.Hash{Algorithm: "sha256", Hex: hash('3')},
				Packages: []Package{{
					Name: "zlib1g", Version: "1:1.2.13.dfsg-1", Architecture: "amd64", Source: "zlib", SourceVersion: "1:1.2.13.dfsg-1",
					License: NoAssertion, FileName: "zlib1g.deb", SHA256: hash('e'), Size: 50,
				}},
			},
			{
				Layer: v1.Hash{Algorithm: "sha256", Hex: hash('4')},
				// A later layer writes etc/passwd again: its content wins.
				Files: []layer.FileSum{{Path: "app/server", SHA256: hash('f'), Size: 30}, {Path: "etc/passwd", SHA256: hash('9'), Size: 21}},
			},
		},
	}
}

func render(t *testing.T, img Image) []byte {
	t.Helper()
	doc, err := Document(img)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// summary is what a reader of the document sees, as lines.
func summary(t *testing.T, data []byte) []string {
	t.Helper()
	doc, err := spdxjson.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("tools-golang cannot read the document back: %v", err)
	}
	if err := spdxlib.ValidateDocument(doc); err != nil {
		t.Fatalf("tools-golang: invalid document: %v", err)
	}
	lines := []string{
		"version " + doc.SPDXVersion + " " + doc.DataLicense + " " + string(doc.SPDXIdentifier),
		"name " + doc.DocumentName,
		"created " + doc.CreationInfo.Created,
	}
	for _, c := range doc.CreationInfo.Creators {
		lines = append(lines, "creator "+c.CreatorType+": "+c.Creator)
	}
	for _, p := range doc.Packages {
		var refs []string
		for _, r := range p.PackageExternalReferences {
			refs = append(refs, r.Category+" "+r.RefType+" "+r.Locator)
		}
		lines = append(lines, "package "+p.PackageName+" "+p.PackageVersion+" "+p.PackageChecksums[0].Value[:4]+" "+p.PackageLicenseDeclared+" "+p.PrimaryPackagePurpose+" "+strings.Join(refs, ","))
	}
	for _, f := range doc.Files {
		lines = append(lines, "file "+f.FileName+" "+string(f.Checksums[0].Algorithm)+" "+f.Checksums[0].Value[:4])
	}
	names := map[string]string{"DOCUMENT": "DOCUMENT"}
	for _, p := range doc.Packages {
		names[string(p.PackageSPDXIdentifier)] = p.PackageName
	}
	for _, f := range doc.Files {
		names[string(f.FileSPDXIdentifier)] = f.FileName
	}
	for _, r := range doc.Relationships {
		lines = append(lines, "relationship "+names[string(r.RefA.ElementRefID)]+" "+r.Relationship+" "+names[string(r.RefB.ElementRefID)])
	}
	for _, l := range doc.OtherLicenses {
		lines = append(lines, "other license "+l.LicenseIdentifier)
	}
	return lines
}

func TestDocument(t *testing.T) {
	want := []string{
		"version SPDX-2.3 CC0-1.0 DOCUMENT",
		"name //app:image",
		"created 2023-11-14T22:13:20Z",
		"creator Tool: rules_distill-distill",
		"package //app:image sha256:" + hash('d') + " dddd NOASSERTION CONTAINER PACKAGE-MANAGER purl pkg:oci/image@sha256:" + hash('d') + "?arch=amd64",
		"package libc6 2.36-9+deb12u4 cccc LGPL-2.1-or-later AND LicenseRef-public-domain OPERATING-SYSTEM PACKAGE-MANAGER purl pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc",
		"package zlib1g 1:1.2.13.dfsg-1 eeee NOASSERTION OPERATING-SYSTEM PACKAGE-MANAGER purl pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib",
		"file ./app/server SHA256 ffff",
		"file ./etc/passwd SHA256 9999",
		"file ./usr/lib/os-release SHA256 aaaa",
		"relationship DOCUMENT DESCRIBES //app:image",
		"relationship //app:image CONTAINS libc6",
		"relationship //app:image CONTAINS zlib1g",
		"relationship //app:image CONTAINS ./app/server",
		"relationship //app:image CONTAINS ./etc/passwd",
		"relationship //app:image CONTAINS ./usr/lib/os-release",
		"other license LicenseRef-public-domain",
	}
	if diff := cmp.Diff(want, summary(t, render(t, testImage()))); diff != "" {
		t.Errorf("document mismatch (-want +got):\n%s", diff)
	}
}

func TestDocumentDeterministic(t *testing.T) {
	first := render(t, testImage())
	// The same inputs, with files and packages listed in another order.
	img := testImage()
	img.Layers[0].Files[0], img.Layers[0].Files[1] = img.Layers[0].Files[1], img.Layers[0].Files[0]
	if diff := cmp.Diff(string(first), string(render(t, img))); diff != "" {
		t.Errorf("same inputs, different bytes (-first +second):\n%s", diff)
	}
	// Another image digest: another namespace.
	img.Digest.Hex = hash('0')
	other := render(t, img)
	ns := regexp.MustCompile(`"documentNamespace": "([^"]*)"`)
	if a, b := ns.FindSubmatch(first), ns.FindSubmatch(other); a == nil || b == nil || bytes.Equal(a[1], b[1]) {
		t.Errorf("namespaces %q and %q: want two different ones", a, b)
	}
}

func TestNamespace(t *testing.T) {
	d := v1.Hash{Algorithm: "sha256", Hex: hash('d')}
	got := Namespace("//app:image", d)
	if !regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(got) {
		t.Errorf("Namespace() = %q, want a version 8 urn:uuid", got)
	}
	if again := Namespace("//app:image", d); again != got {
		t.Errorf("Namespace() = %q, then %q", got, again)
	}
	if other := Namespace("//app:other", d); other == got {
		t.Errorf("two names, one namespace %q", got)
	}
}

func TestDebPURL(t *testing.T) {
	tests := []struct {
		p      Package
		distro string
		want   string
	}{
		{Package{Name: "base-files", Version: "12.4+deb12u5", Architecture: "amd64", Source: "base-files"}, "debian-12",
			"pkg:deb/debian/base-files@12.4%2Bdeb12u5?arch=amd64&distro=debian-12"},
		{Package{Name: "libssl3", Version: "3.0.15-1~deb12u1", Architecture: "arm64", Source: "openssl"}, "",
			"pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=arm64&upstream=openssl"},
		{Package{Name: "libstdc++6", Version: "1:2.0", Architecture: "all", Source: "gcc-12"}, "debian-13",
			"pkg:deb/debian/libstdc++6@1%3A2.0?arch=all&distro=debian-13&upstream=gcc-12"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, DebPURL(tt.p, tt.distro)); diff != "" {
			t.Errorf("DebPURL(%s) mismatch (-want +got):\n%s", tt.p.Name, diff)
		}
	}
}

func TestDocumentErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Image)
		want   string
	}{
		{"no name", func(i *Image) { i.Name = "" }, "has no name"},
		{"bad digest", func(i *Image) { i.Digest = v1.Hash{Algorithm: "sha256", Hex: "abc"} }, "is not sha256:<64 hex>"},
		{"bad package sha256", func(i *Image) { i.Layers[1].Packages[0].SHA256 = "x" }, "rebuild its layer"},
		{"package without version", func(i *Image) { i.Layers[1].Packages[0].Version = "" }, "are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := testImage()
			tt.change(&img)
			_, err := Document(img)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Document() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestContentsRoundTrip(t *testing.T) {
	c := testImage().Layers[0]
	data, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/contents.json"
	if err := writeFile(path, data); err != nil {
		t.Fatal(err)
	}
	got, err := ReadContents(path)
	if err != nil {
		t.Fatal(err)
	}
	want := c
	want.Files = []layer.FileSum{c.Files[1], c.Files[0]} // sorted by path
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadContents() mismatch (-want +got):\n%s", diff)
	}
	if err := writeFile(path, []byte(`{"layer": "sha256:`+hash('1')+`", "unknown": 1}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadContents(path); err == nil || !strings.Contains(err.Error(), "rebuild the layer") {
		t.Errorf("ReadContents(unknown field) error = %v, want one saying to rebuild the layer", err)
	}
}

func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o644) }
