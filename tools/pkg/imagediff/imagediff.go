package imagediff

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"pault.ag/go/debian/version"

	"github.com/rules-distill/rules_distill/tools/pkg/inspect"
)

// SchemaVersion is the version of the JSON form of Diff; it grows when a
// field changes meaning or goes away (adding a field keeps it).
const SchemaVersion = 1

// How a file changed.
const (
	ChangeType    = "type"
	ChangeContent = "content"
	ChangeMode    = "mode"
	ChangeOwner   = "owner"
	ChangeTarget  = "target"
	ChangeDevice  = "device"
)

// Side names one of the two images.
type Side struct {
	Ref          string `json:"ref"`
	Kind         string `json:"kind"`
	Digest       string `json:"digest,omitempty"`
	ConfigDigest string `json:"configDigest"`
}

// PackageVersion is a package only one image holds.
type PackageVersion struct {
	Name         string `json:"name"`
	Version      string `json:"version"`
	Architecture string `json:"architecture,omitempty"`
	Size         int64  `json:"size"`
}

// PackageChange is a package both images hold, in different versions or
// with different files.
type PackageChange struct {
	Name         string `json:"name"`
	Architecture string `json:"architecture,omitempty"`
	A            string `json:"a"`
	B            string `json:"b"`
	SizeA        int64  `json:"sizeA"`
	SizeB        int64  `json:"sizeB"`
}

// Packages are the package differences, each list sorted by name.
type Packages struct {
	Added      []PackageVersion `json:"added"`
	Removed    []PackageVersion `json:"removed"`
	Upgraded   []PackageChange  `json:"upgraded"`
	Downgraded []PackageChange  `json:"downgraded"`
	// Changed are packages of the same version whose files differ.
	Changed []PackageChange `json:"changed"`
}

// File is a path of one image, with the package that lists it.
type File struct {
	inspect.File
	Package string `json:"package,omitempty"`
}

// FileChange is a path both images hold, differently.
type FileChange struct {
	Path string `json:"path"`
	// Changes say what differs: type, content, mode, owner, target, device.
	Changes []string `json:"changes"`
	A       File     `json:"a"`
	B       File     `json:"b"`
}

// Files are the file differences, each list sorted by path.
type Files struct {
	Added   []File       `json:"added"`
	Removed []File       `json:"removed"`
	Changed []FileChange `json:"changed"`
}

// ConfigChange is a config field that differs. A and B are the values as
// JSON text (a string is quoted); nil when the field or key is absent.
// Env and labels are compared by key: field "env.PATH", "labels.KEY".
type ConfigChange struct {
	Field string  `json:"field"`
	A     *string `json:"a"`
	B     *string `json:"b"`
}

// Layers compares the layers.
type Layers struct {
	A int `json:"a"`
	B int `json:"b"`
	// Shared counts the layers of B whose diff_id is one of A's.
	Shared int `json:"shared"`
	// Changed is true when the diff_id lists differ.
	Changed       bool  `json:"changed"`
	CompressedA   int64 `json:"compressedA"`
	CompressedB   int64 `json:"compressedB"`
	UncompressedA int64 `json:"uncompressedA"`
	UncompressedB int64 `json:"uncompressedB"`
}

// Diff is what differs from image A to image B. Its JSON form is the schema
// of `distill diff --json` (docs/inspect.md).
type Diff struct {
	SchemaVersion int  `json:"schemaVersion"`
	A             Side `json:"a"`
	B             Side `json:"b"`
	// Identical is true when nothing below differs.
	Identical bool           `json:"identical"`
	Packages  Packages       `json:"packages"`
	Files     Files          `json:"files"`
	Config    []ConfigChange `json:"config"`
	Layers    Layers         `json:"layers"`
}

// Compare returns what differs from a to b.
func Compare(a, b *inspect.Image) *Diff {
	d := &Diff{
		SchemaVersion: SchemaVersion,
		A:             side(a),
		B:             side(b),
		Packages:      comparePackages(a.Packages, b.Packages),
		Files:         compareFiles(a, b),
		Config:        compareConfig(a.Config, b.Config),
		Layers:        compareLayers(a, b),
	}
	p := d.Packages
	d.Identical = len(p.Added)+len(p.Removed)+len(p.Upgraded)+len(p.Downgraded)+len(p.Changed) == 0 &&
		len(d.Files.Added)+len(d.Files.Removed)+len(d.Files.Changed) == 0 &&
		len(d.Config) == 0 && !d.Layers.Changed
	return d
}

func side(img *inspect.Image) Side {
	return Side{Ref: img.Source.Ref, Kind: img.Source.Kind, Digest: img.Source.Digest, ConfigDigest: img.ConfigDigest}
}

func pkgKey(p inspect.Package) string { return p.Name + ":" + p.Architecture }

func comparePackages(a, b []inspect.Package) Packages {
	out := Packages{Added: []PackageVersion{}, Removed: []PackageVersion{}, Upgraded: []PackageChange{}, Downgraded: []PackageChange{}, Changed: []PackageChange{}}
	inA := map[string]inspect.Package{}
	for _, p := range a {
		inA[pkgKey(p)] = p
	}
	inB := map[string]bool{}
	for _, pb := range b {
		inB[pkgKey(pb)] = true
		pa, ok := inA[pkgKey(pb)]
		if !ok {
			out.Added = append(out.Added, PackageVersion{Name: pb.Name, Version: pb.Version, Architecture: pb.Architecture, Size: pb.Size})
			continue
		}
		c := PackageChange{Name: pb.Name, Architecture: pb.Architecture, A: pa.Version, B: pb.Version, SizeA: pa.Size, SizeB: pb.Size}
		switch cmp := compareVersions(pa.Version, pb.Version); {
		case cmp < 0:
			out.Upgraded = append(out.Upgraded, c)
		case cmp > 0:
			out.Downgraded = append(out.Downgraded, c)
		case pa.FilesDigest != pb.FilesDigest:
			out.Changed = append(out.Changed, c)
		}
	}
	for _, pa := range a {
		if !inB[pkgKey(pa)] {
			out.Removed = append(out.Removed, PackageVersion{Name: pa.Name, Version: pa.Version, Architecture: pa.Architecture, Size: pa.Size})
		}
	}
	return out
}

// compareVersions orders Debian versions; unparsable ones as strings.
func compareVersions(a, b string) int {
	va, errA := version.Parse(a)
	vb, errB := version.Parse(b)
	if errA != nil || errB != nil {
		return strings.Compare(a, b)
	}
	return version.Compare(va, vb)
}

func compareFiles(a, b *inspect.Image) Files {
	out := Files{Added: []File{}, Removed: []File{}, Changed: []FileChange{}}
	i, j := 0, 0
	for i < len(a.Files) || j < len(b.Files) {
		switch {
		case j == len(b.Files) || i < len(a.Files) && a.Files[i].Path < b.Files[j].Path:
			out.Removed = append(out.Removed, File{a.Files[i], a.Owner[a.Files[i].Path]})
			i++
		case i == len(a.Files) || b.Files[j].Path < a.Files[i].Path:
			out.Added = append(out.Added, File{b.Files[j], b.Owner[b.Files[j].Path]})
			j++
		default:
			fa, fb := a.Files[i], b.Files[j]
			if changes := fileChanges(fa, fb); len(changes) > 0 {
				out.Changed = append(out.Changed, FileChange{Path: fa.Path, Changes: changes,
					A: File{fa, a.Owner[fa.Path]}, B: File{fb, b.Owner[fb.Path]}})
			}
			i++
			j++
		}
	}
	return out
}

// fileChanges says how fb differs from fa (ignoring the layer it is in).
func fileChanges(fa, fb inspect.File) []string {
	if fa.Type != fb.Type {
		return []string{ChangeType}
	}
	var out []string
	if fa.Digest != fb.Digest || fa.Size != fb.Size {
		out = append(out, ChangeContent)
	}
	if fa.Mode != fb.Mode {
		out = append(out, ChangeMode)
	}
	if fa.UID != fb.UID || fa.GID != fb.GID {
		out = append(out, ChangeOwner)
	}
	if fa.Target != fb.Target {
		out = append(out, ChangeTarget)
	}
	if fa.DevMajor != fb.DevMajor || fa.DevMinor != fb.DevMinor {
		out = append(out, ChangeDevice)
	}
	return out
}

func compareConfig(a, b inspect.Config) []ConfigChange {
	out := []ConfigChange{}
	field := func(name string, va, vb any) {
		ja, jb := jsonValue(va), jsonValue(vb)
		if !equal(ja, jb) {
			out = append(out, ConfigChange{Field: name, A: ja, B: jb})
		}
	}
	field("os", a.OS, b.OS)
	field("architecture", a.Architecture, b.Architecture)
	field("variant", a.Variant, b.Variant)
	field("created", a.Created, b.Created)
	field("user", a.User, b.User)
	field("workingDir", a.WorkingDir, b.WorkingDir)
	field("entrypoint", a.Entrypoint, b.Entrypoint)
	field("cmd", a.Cmd, b.Cmd)
	envA, envB := envMap(a.Env), envMap(b.Env)
	for _, k := range keys(envA, envB) {
		field("env."+k, envA[k], envB[k])
	}
	field("exposedPorts", a.ExposedPorts, b.ExposedPorts)
	field("volumes", a.Volumes, b.Volumes)
	labA, labB := map[string]any{}, map[string]any{}
	for k, v := range a.Labels {
		labA[k] = v
	}
	for k, v := range b.Labels {
		labB[k] = v
	}
	for _, k := range keys(labA, labB) {
		field("labels."+k, labA[k], labB[k])
	}
	field("stopSignal", a.StopSignal, b.StopSignal)
	return out
}

// jsonValue is v as JSON text, nil for an absent value: nil, "" or an
// empty list.
func jsonValue(v any) *string {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if x == "" {
			return nil
		}
	case []string:
		if len(x) == 0 {
			return nil
		}
	}
	b, _ := json.Marshal(v)
	s := string(b)
	return &s
}

func equal(a, b *string) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

func envMap(env []string) map[string]any {
	m := map[string]any{}
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	return m
}

func keys(a, b map[string]any) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func compareLayers(a, b *inspect.Image) Layers {
	out := Layers{
		A: len(a.Layers), B: len(b.Layers),
		CompressedA: a.Totals.CompressedSize, CompressedB: b.Totals.CompressedSize,
		UncompressedA: a.Totals.UncompressedSize, UncompressedB: b.Totals.UncompressedSize,
	}
	var idsA, idsB []string
	inA := map[string]bool{}
	for _, l := range a.Layers {
		idsA = append(idsA, l.DiffID)
		inA[l.DiffID] = true
	}
	for _, l := range b.Layers {
		idsB = append(idsB, l.DiffID)
		if inA[l.DiffID] {
			out.Shared++
		}
	}
	out.Changed = !slices.Equal(idsA, idsB)
	return out
}
