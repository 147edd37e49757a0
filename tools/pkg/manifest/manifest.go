package manifest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// DefaultKeyring is the keyring used when the manifest names none: the
// Debian archive keyring of the host.
const DefaultKeyring = "/usr/share/keyrings/debian-archive-keyring.gpg"

// defaultExclusions are the packages a running, shell-less app never needs
// and that pull in shells, package managers or interpreters when followed.
var defaultExclusions = []string{
	"adduser",
	"awk",
	"bash",
	"coreutils",
	"dash",
	"debconf",
	"debconf-2.0",
	"debianutils",
	"diffutils",
	"dpkg",
	"findutils",
	"grep",
	"gzip",
	"init-system-helpers",
	"install-info",
	"libpam-runtime",
	"login",
	"lsb-base",
	"mawk",
	"mount",
	"ncurses-base",
	"ncurses-bin",
	"passwd",
	"perl-base",
	"readline-common",
	"sed",
	"sensible-utils",
	"sysvinit-utils",
	"tar",
	"usr-is-merged",
	"usrmerge",
	"util-linux",
}

// DefaultExclusions returns the default exclusions, sorted.
func DefaultExclusions() []string { return slices.Clone(defaultExclusions) }

// Manifest is a parsed and validated packages.yaml.
type Manifest struct {
	// Version is the manifest format version; only 1 exists.
	Version int
	// Archives are the archive roots, in priority order: on a version tie
	// the archive (then the suite) listed first wins.
	Archives []Archive
	// Architectures are the Debian architectures to lock, e.g. amd64.
	Architectures []string
	// Packages are the requested packages, in manifest order.
	Packages []Package
	// Exclude are the exclusions added to the defaults.
	Exclude []string
	// DefaultExclusions tells whether DefaultExclusions apply (default true).
	DefaultExclusions bool
	// Keyrings are the OpenPGP keyrings that sign the archives, as written
	// (relative paths are relative to the manifest's directory).
	Keyrings []string
	// MergedUsr overrides DefaultMergedUsr for every suite when not nil.
	MergedUsr *bool
	// SHA256 is the hex sha256 of the manifest file's bytes.
	SHA256 string
}

// Archive is one named root of the Debian archive. Its URL is
// configuration, never part of the manifest.
type Archive struct {
	Name       string
	Suites     []string
	Components []string
}

// Package is one requested package.
type Package struct {
	Name string
	// Architecture restricts the request to one architecture ("libc6:amd64");
	// empty means every architecture of the manifest.
	Architecture string
}

func (p Package) String() string {
	if p.Architecture == "" {
		return p.Name
	}
	return p.Name + ":" + p.Architecture
}

// Exclusions returns the effective exclusions (the defaults unless
// disabled, plus Exclude), sorted and unique.
func (m *Manifest) Exclusions() []string {
	var out []string
	if m.DefaultExclusions {
		out = append(out, defaultExclusions...)
	}
	out = append(out, m.Exclude...)
	slices.Sort(out)
	return slices.Compact(out)
}

// Requests returns the names requested for arch, sorted and unique.
func (m *Manifest) Requests(arch string) []string {
	var out []string
	for _, p := range m.Packages {
		if p.Architecture == "" || p.Architecture == arch {
			out = append(out, p.Name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// MergedUsrFor tells whether packages from suite go into a merged-usr
// image: the manifest's merged_usr when set, else DefaultMergedUsr(suite).
func (m *Manifest) MergedUsrFor(suite string) bool {
	if m.MergedUsr != nil {
		return *m.MergedUsr
	}
	return DefaultMergedUsr(suite)
}

// preMergedUsr are the codenames of the Debian releases before trixie, the
// first release whose base system is merged-usr.
var preMergedUsr = []string{"bookworm", "bullseye", "buster", "stretch", "jessie", "wheezy", "squeeze"}

// DefaultMergedUsr tells whether a suite is merged-usr by its name: false
// for bookworm and earlier codenames and their -updates, -security,
// -backports... suites; true for anything else (trixie, forky, sid, and the
// aliases testing, unstable, stable — set merged_usr in the manifest when
// an alias means an older release).
func DefaultMergedUsr(suite string) bool {
	codename, _, _ := strings.Cut(suite, "-")
	return !slices.Contains(preMergedUsr, codename)
}

// Read reads and validates the manifest at path.
func Read(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading manifest: %w", err)
	}
	return Parse(path, data)
}

var (
	// packageName is a Debian package name (Debian policy 5.6.1).
	packageName = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)
	// archName is a Debian architecture name such as amd64 or armhf.
	archName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	// pathElement is an archive, suite or component name: one path element.
	pathElement = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)
	// archiveName is the name of an archive: also a Bazel-friendly identifier.
	archiveName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
)

// Parse parses and validates a manifest; file names it in errors, which
// have the form "FILE:LINE: what".
func Parse(file string, data []byte) (*Manifest, error) {
	p := parser{file: file}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty manifest: want a mapping with version, archives, architectures and packages", file)
		}
		return nil, fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, p.errorf(&extra, "more than one YAML document")
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty manifest: want a mapping with version, archives, architectures and packages", file)
	}
	m, err := p.manifest(doc.Content[0])
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	m.SHA256 = hex.EncodeToString(sum[:])
	return m, nil
}

type parser struct {
	file string
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.file, n.Line, fmt.Sprintf(format, args...))
}

// fields checks that n is a mapping whose keys are all known and unique, and
// returns the value of each key.
func (p *parser) fields(n *yaml.Node, what string, known ...string) (map[string]*yaml.Node, error) {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		return nil, p.errorf(n, "%s must be a mapping", what)
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return nil, p.errorf(k, "%s: keys must be strings", what)
		}
		if !slices.Contains(known, k.Value) {
			return nil, p.errorf(k, "unknown key %q in %s (known: %s)", k.Value, what, strings.Join(known, ", "))
		}
		if _, dup := out[k.Value]; dup {
			return nil, p.errorf(k, "key %q given twice in %s", k.Value, what)
		}
		out[k.Value] = v
	}
	return out, nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// list returns a sequence of scalars; each is checked with valid, which
// returns what a bad value should be.
func (p *parser) list(n *yaml.Node, key string, valid *regexp.Regexp, want string) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.errorf(n, "%s must be a list", key)
	}
	var out []string
	seen := map[string]bool{}
	for _, item := range n.Content {
		item = deref(item)
		if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
			return nil, p.errorf(item, "%s: every item must be a string", key)
		}
		if valid != nil && !valid.MatchString(item.Value) {
			return nil, p.errorf(item, "%s: %q is not %s", key, item.Value, want)
		}
		if seen[item.Value] {
			return nil, p.errorf(item, "%s: %q is listed twice", key, item.Value)
		}
		seen[item.Value] = true
		out = append(out, item.Value)
	}
	return out, nil
}

func (p *parser) boolean(n *yaml.Node, key string) (bool, error) {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		return false, p.errorf(n, "%s must be true or false, got %q", key, n.Value)
	}
	return b, nil
}

var topKeys = []string{"version", "archives", "architectures", "packages", "exclude", "default_exclusions", "keyrings", "merged_usr"}

func (p *parser) manifest(root *yaml.Node) (*Manifest, error) {
	f, err := p.fields(root, "the manifest", topKeys...)
	if err != nil {
		return nil, err
	}
	m := &Manifest{DefaultExclusions: true}
	if v := f["version"]; v != nil && (v.Kind != yaml.ScalarNode || v.Decode(&m.Version) != nil || m.Version != 1) {
		return nil, p.errorf(v, "version must be 1, got %q", v.Value)
	}
	if archives := f["archives"]; archives != nil {
		if m.Archives, err = p.archives(archives); err != nil {
			return nil, err
		}
	}
	for _, key := range []string{"version", "archives", "architectures", "packages"} {
		if f[key] == nil {
			return nil, p.errorf(root, "missing required key %q", key)
		}
	}

	if m.Architectures, err = p.list(f["architectures"], "architectures", archName, "a Debian architecture name"); err != nil {
		return nil, err
	}
	if len(m.Architectures) == 0 {
		return nil, p.errorf(f["architectures"], "architectures must not be empty")
	}
	for i, a := range m.Architectures {
		if a == "all" || a == "any" {
			return nil, p.errorf(f["architectures"].Content[i], "architectures: %q is not a machine architecture", a)
		}
	}

	if m.Packages, err = p.packages(f["packages"], m.Architectures); err != nil {
		return nil, err
	}

	if n := f["exclude"]; n != nil {
		if m.Exclude, err = p.list(n, "exclude", packageName, "a Debian package name"); err != nil {
			return nil, err
		}
	}
	if n := f["default_exclusions"]; n != nil {
		if m.DefaultExclusions, err = p.boolean(n, "default_exclusions"); err != nil {
			return nil, err
		}
	}
	m.Keyrings = []string{DefaultKeyring}
	if n := f["keyrings"]; n != nil {
		if m.Keyrings, err = p.list(n, "keyrings", nil, ""); err != nil {
			return nil, err
		}
		if len(m.Keyrings) == 0 {
			return nil, p.errorf(n, "keyrings must not be empty (leave it out for %s)", DefaultKeyring)
		}
		for i, k := range m.Keyrings {
			if k == "" {
				return nil, p.errorf(n.Content[i], "keyrings: empty path")
			}
		}
	}
	if n := f["merged_usr"]; n != nil {
		b, err := p.boolean(n, "merged_usr")
		if err != nil {
			return nil, err
		}
		m.MergedUsr = &b
	}
	return m, nil
}

func (p *parser) archives(n *yaml.Node) ([]Archive, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, p.errorf(n, "archives must be a non-empty list")
	}
	var out []Archive
	names := map[string]bool{}
	for _, item := range n.Content {
		a, err := p.archive(item)
		if err != nil {
			return nil, err
		}
		if names[a.Name] {
			return nil, p.errorf(item, "archive %q is listed twice", a.Name)
		}
		names[a.Name] = true
		out = append(out, a)
	}
	return out, nil
}

func (p *parser) archive(n *yaml.Node) (Archive, error) {
	f, err := p.fields(n, "an archive", "name", "suites", "components")
	if err != nil {
		return Archive{}, err
	}
	var a Archive
	name := f["name"]
	if name == nil {
		return Archive{}, p.errorf(n, "archive without a name")
	}
	if name.Kind != yaml.ScalarNode || !archiveName.MatchString(name.Value) {
		return Archive{}, p.errorf(name, "archive name %q: want lower-case letters, digits, '.', '_' and '-'", name.Value)
	}
	a.Name = name.Value
	if f["suites"] == nil {
		return Archive{}, p.errorf(n, "archive %q has no suites", a.Name)
	}
	if a.Suites, err = p.list(f["suites"], "suites", pathElement, "a suite name"); err != nil {
		return Archive{}, err
	}
	if len(a.Suites) == 0 {
		return Archive{}, p.errorf(f["suites"], "archive %q has no suites", a.Name)
	}
	a.Components = []string{"main"}
	if c := f["components"]; c != nil {
		if a.Components, err = p.list(c, "components", pathElement, "a component name"); err != nil {
			return Archive{}, err
		}
		if len(a.Components) == 0 {
			return Archive{}, p.errorf(c, "archive %q has no components (leave it out for [main])", a.Name)
		}
	}
	return a, nil
}

func (p *parser) packages(n *yaml.Node, arches []string) ([]Package, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, p.errorf(n, "packages must be a non-empty list")
	}
	var out []Package
	seen := map[Package]bool{}
	for _, item := range n.Content {
		item = deref(item)
		if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
			return nil, p.errorf(item, "packages: every item must be a string")
		}
		name, arch, qualified := strings.Cut(item.Value, ":")
		if !packageName.MatchString(name) {
			return nil, p.errorf(item, "packages: %q is not a Debian package name", name)
		}
		if qualified && !slices.Contains(arches, arch) {
			return nil, p.errorf(item, "packages: %q names architecture %q, which is not in architectures [%s]", item.Value, arch, strings.Join(arches, ", "))
		}
		pkg := Package{Name: name, Architecture: arch}
		if seen[pkg] {
			return nil, p.errorf(item, "packages: %q is listed twice", item.Value)
		}
		seen[pkg] = true
		out = append(out, pkg)
	}
	return out, nil
}
