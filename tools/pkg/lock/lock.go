package lock

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"

	"pault.ag/go/debian/version"
)

// Version is the lock format version this package writes and reads.
const Version = 1

// Lock is packages.lock.json.
type Lock struct {
	// Version is the format version, Version.
	Version int `json:"version"`
	// ManifestSHA256 is the hex sha256 of the packages.yaml it was made from.
	ManifestSHA256 string `json:"manifest_sha256"`
	// Archives holds, by archive name then suite, what was read of each
	// suite's Release.
	Archives map[string]map[string]Suite `json:"archives"`
	// Packages are sorted by name, then ForArchitecture.
	Packages []Package `json:"packages"`
}

// Suite is what the lock records of one suite's Release file.
type Suite struct {
	// Date is the Release's Date field, verbatim.
	Date string `json:"date"`
}

// Package is one Debian package locked for one architecture.
type Package struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Architecture is the package's own: ForArchitecture or "all".
	Architecture string `json:"architecture"`
	// ForArchitecture is the architecture it was locked for.
	ForArchitecture string `json:"for_architecture"`
	Archive         string `json:"archive"`
	Suite           string `json:"suite"`
	Component       string `json:"component"`
	// Filename is the pool path relative to the archive root.
	Filename string `json:"filename"`
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
	// Source is the source package name.
	Source string `json:"source"`
	// Depends are the names of the packages locked for ForArchitecture that
	// satisfy this package's Depends and Pre-Depends, sorted and unique.
	Depends []string `json:"depends"`
	// Excluded are the dependencies pruned by exclusion, sorted and unique.
	Excluded []string `json:"excluded"`
	// MergedUsr tells whether the package goes into a merged-usr image.
	MergedUsr bool `json:"merged_usr"`
}

// Key returns "name:for_architecture", the package's unique key.
func (p Package) Key() string { return p.Name + ":" + p.ForArchitecture }

// Marshal returns the lock's canonical encoding: packages sorted by name
// then for_architecture, depends and excluded sorted and unique, struct
// fields in declaration order, map keys sorted, two-space indent, no HTML
// escaping and a final newline. The lock is validated first; l itself is
// not modified.
func Marshal(l *Lock) ([]byte, error) {
	c := *l
	c.Packages = make([]Package, len(l.Packages))
	for i, p := range l.Packages {
		p.Depends = sortedUnique(p.Depends)
		p.Excluded = sortedUnique(p.Excluded)
		c.Packages[i] = p
	}
	slices.SortFunc(c.Packages, comparePackages)
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("encoding lock: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&c); err != nil {
		return nil, fmt.Errorf("encoding lock: %w", err)
	}
	return buf.Bytes(), nil
}

func sortedUnique(s []string) []string {
	out := slices.Clone(s)
	if out == nil {
		out = []string{}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func comparePackages(a, b Package) int {
	return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ForArchitecture, b.ForArchitecture))
}

// Unmarshal decodes and validates a lock. Unknown fields are errors.
func Unmarshal(data []byte) (*Lock, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var l Lock
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("decoding lock: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("decoding lock: data after the JSON object")
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	return &l, nil
}

// Read reads and validates the lock file at path.
func Read(path string) (*Lock, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading lock: %w", err)
	}
	l, err := Unmarshal(data)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return l, nil
}

// CheckManifest returns an error unless the lock was made from a manifest
// whose bytes are manifest.
func (l *Lock) CheckManifest(manifest []byte) error {
	sum := sha256.Sum256(manifest)
	if got := hex.EncodeToString(sum[:]); got != l.ManifestSHA256 {
		return fmt.Errorf("the lock was made from another manifest (sha256 %s, the manifest has %s): run distill lock again", l.ManifestSHA256, got)
	}
	return nil
}

var (
	hexSHA256   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	packageName = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)
	archName    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	pathElement = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)
)

// Validate checks everything a consumer of the lock relies on: the format
// version, well-formed names, versions, pool paths and sha256s, archives and
// suites that the archives map lists, sorted unique packages and
// dependencies that name packages locked for the same architecture.
func (l *Lock) Validate() error {
	if l.Version != Version {
		return fmt.Errorf("version %d: this distill reads version %d", l.Version, Version)
	}
	if !hexSHA256.MatchString(l.ManifestSHA256) {
		return fmt.Errorf("manifest_sha256 %q is not 64 lower-case hex digits", l.ManifestSHA256)
	}
	if len(l.Archives) == 0 {
		return fmt.Errorf("archives: empty")
	}
	for name, suites := range l.Archives {
		if !pathElement.MatchString(name) {
			return fmt.Errorf("archives: bad archive name %q", name)
		}
		if len(suites) == 0 {
			return fmt.Errorf("archives: %s has no suites", name)
		}
		for suite, s := range suites {
			if !pathElement.MatchString(suite) {
				return fmt.Errorf("archives: %s: bad suite name %q", name, suite)
			}
			if strings.TrimSpace(s.Date) == "" {
				return fmt.Errorf("archives: %s/%s: no date", name, suite)
			}
		}
	}
	keys := make(map[string]bool, len(l.Packages))
	for i, p := range l.Packages {
		if err := l.validatePackage(p); err != nil {
			return fmt.Errorf("packages[%d] (%s): %w", i, p.Key(), err)
		}
		if i > 0 && comparePackages(l.Packages[i-1], p) >= 0 {
			return fmt.Errorf("packages[%d] (%s): not after %s: packages must be sorted by name then for_architecture, each once", i, p.Key(), l.Packages[i-1].Key())
		}
		keys[p.Key()] = true
	}
	for i, p := range l.Packages {
		for _, d := range p.Depends {
			if !keys[d+":"+p.ForArchitecture] {
				return fmt.Errorf("packages[%d] (%s): depends on %s, which is not locked for %s", i, p.Key(), d, p.ForArchitecture)
			}
		}
	}
	return nil
}

func (l *Lock) validatePackage(p Package) error {
	if !packageName.MatchString(p.Name) {
		return fmt.Errorf("name %q is not a Debian package name", p.Name)
	}
	if _, err := version.Parse(p.Version); err != nil {
		return fmt.Errorf("version %q: %w", p.Version, err)
	}
	if !archName.MatchString(p.ForArchitecture) || p.ForArchitecture == "all" || p.ForArchitecture == "any" {
		return fmt.Errorf("for_architecture %q is not a machine architecture", p.ForArchitecture)
	}
	if p.Architecture != p.ForArchitecture && p.Architecture != "all" {
		return fmt.Errorf("architecture %q: want %q or \"all\"", p.Architecture, p.ForArchitecture)
	}
	if _, ok := l.Archives[p.Archive][p.Suite]; !ok {
		return fmt.Errorf("%s/%s is not in archives", p.Archive, p.Suite)
	}
	if !pathElement.MatchString(p.Component) {
		return fmt.Errorf("component %q is not a component name", p.Component)
	}
	if !strings.HasPrefix(p.Filename, "pool/") || path.Clean(p.Filename) != p.Filename || slices.Contains(strings.Split(p.Filename, "/"), "..") || !strings.HasSuffix(p.Filename, ".deb") {
		return fmt.Errorf("filename %q is not a clean pool/.../*.deb path", p.Filename)
	}
	if !hexSHA256.MatchString(p.SHA256) {
		return fmt.Errorf("sha256 %q is not 64 lower-case hex digits", p.SHA256)
	}
	if p.Size <= 0 {
		return fmt.Errorf("size %d is not positive", p.Size)
	}
	if !packageName.MatchString(p.Source) {
		return fmt.Errorf("source %q is not a Debian package name", p.Source)
	}
	for _, list := range []struct {
		name  string
		names []string
	}{{"depends", p.Depends}, {"excluded", p.Excluded}} {
		if list.names == nil {
			return fmt.Errorf("%s: missing (want a list, maybe empty)", list.name)
		}
		for j, n := range list.names {
			if !packageName.MatchString(n) {
				return fmt.Errorf("%s: %q is not a Debian package name", list.name, n)
			}
			if j > 0 && list.names[j-1] >= n {
				return fmt.Errorf("%s: not sorted and unique at %q", list.name, n)
			}
		}
	}
	if slices.Contains(p.Depends, p.Name) {
		return fmt.Errorf("depends on itself")
	}
	return nil
}

// Find returns the package name locked for arch.
func (l *Lock) Find(name, arch string) (Package, bool) {
	i, ok := slices.BinarySearchFunc(l.Packages, Package{Name: name, ForArchitecture: arch}, comparePackages)
	if !ok {
		return Package{}, false
	}
	return l.Packages[i], true
}

// Architectures returns the architectures the lock holds packages for, sorted.
func (l *Lock) Architectures() []string {
	var out []string
	for _, p := range l.Packages {
		out = append(out, p.ForArchitecture)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Closure returns the package name locked for arch with its dependencies,
// transitively, sorted by name. The lock must be valid.
func (l *Lock) Closure(name, arch string) ([]Package, error) {
	root, ok := l.Find(name, arch)
	if !ok {
		return nil, fmt.Errorf("%s is not locked for %s", name, arch)
	}
	seen := map[string]bool{name: true}
	out := []Package{root}
	for i := 0; i < len(out); i++ {
		for _, d := range out[i].Depends {
			if seen[d] {
				continue
			}
			seen[d] = true
			p, ok := l.Find(d, arch)
			if !ok {
				return nil, fmt.Errorf("%s (for %s) depends on %s, which is not locked for %s", out[i].Name, arch, d, arch)
			}
			out = append(out, p)
		}
	}
	slices.SortFunc(out, comparePackages)
	return out, nil
}
