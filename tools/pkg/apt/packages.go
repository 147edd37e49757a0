package apt

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/ulikunitz/xz"
	"pault.ag/go/debian/control"

	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
)

// maxPackages bounds a decompressed Packages file whose size the Release
// does not give (bookworm's main/binary-amd64 is 50 MB).
const maxPackages = 1 << 30

// Candidate is one paragraph of a Packages index: a binary package that
// may be locked, and where it was found.
type Candidate struct {
	// BinaryIndex holds the paragraph; fields it has no member for
	// (Depends, Pre-Depends, Provides...) are in its Paragraph.Values.
	control.BinaryIndex
	Archive, Suite, Component string
}

// Packages fetches the Packages index of component and arch that rel
// lists (Packages.xz, else Packages.gz, else Packages: the first one the
// Release lists and a mirror serves), checks its size and sha256 against
// rel before decompressing it, and parses its paragraphs. When the Release
// keeps architecture-independent packages apart (binary-all without
// "No-Support-for-Architecture-all: Packages"), that index is read too.
func (c *Client) Packages(ctx context.Context, rel *Release, component, arch string) ([]Candidate, error) {
	what := fmt.Sprintf("Packages %s/%s/%s/%s", rel.Archive, rel.Suite, component, arch)
	if !safePath(component) || strings.Contains(component, "/binary-") || !safePath(arch) || strings.Contains(arch, "/") {
		return nil, fmt.Errorf("%s: bad component or architecture name", what)
	}
	dirs := []string{component + "/binary-" + arch}
	if arch != "all" && slices.Contains(rel.Architectures, "all") && rel.Fields.Values["No-Support-for-Architecture-all"] != "Packages" {
		if _, _, ok := indexFiles(rel, component+"/binary-all"); ok {
			dirs = append(dirs, component+"/binary-all")
		}
	}
	var all []Candidate
	var notes []string
	for _, dir := range dirs {
		cands, note, err := c.index(ctx, what, rel, component, dir)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		all = append(all, cands...)
		if note != "" {
			notes = append(notes, note)
		}
	}
	c.logf("fetched %s (%s packages%s)", what, groupDigits(len(all)), strings.Join(notes, ""))
	return all, nil
}

// indexFiles returns the compressed variants of dir/Packages that rel
// lists, best first, and the entry of the uncompressed file if listed.
func indexFiles(rel *Release, dir string) (variants []string, plain File, ok bool) {
	for _, ext := range []string{".xz", ".gz", ""} {
		if _, listed := rel.Files[dir+"/Packages"+ext]; listed {
			variants = append(variants, dir+"/Packages"+ext)
		}
	}
	plain, hasPlain := rel.Files[dir+"/Packages"]
	if !hasPlain {
		plain.Size = -1
	}
	return variants, plain, len(variants) > 0
}

// index reads dir/Packages* of rel from the cache or the mirrors.
func (c *Client) index(ctx context.Context, what string, rel *Release, component, dir string) ([]Candidate, string, error) {
	variants, plain, ok := indexFiles(rel, dir)
	if !ok {
		return nil, "", fmt.Errorf("%s/Packages is not in the Release (components: %s; architectures: %s)",
			dir, strings.Join(rel.Components, " "), strings.Join(rel.Architectures, " "))
	}
	// The cache holds the uncompressed file when the Release lists it (as
	// Debian's do): decompressing xz costs more than reading 50 MB.
	var text []byte
	if plain.Size >= 0 {
		text = c.cached(plain)
	}
	name, note := dir+"/Packages", ", from the cache"
	if text == nil {
		var data []byte
		var fromCache bool
		var err error
		name, data, fromCache, err = c.fetchIndex(ctx, what, rel, variants)
		if err != nil {
			return nil, "", err
		}
		if text, err = decompress(name, data, plain); err != nil {
			return nil, "", err
		}
		if !fromCache {
			note = ""
			if plain.Size >= 0 {
				err = c.store(plain, text)
			} else {
				err = c.store(rel.Files[name], data)
			}
			if err != nil {
				return nil, "", err
			}
		}
	}
	cands, err := parsePackages(text, rel, component)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", name, err)
	}
	return cands, note, nil
}

// fetchIndex returns the first of variants (paths under dists/<suite>/)
// that the cache has or a mirror serves, verified against the Release.
// Only when every mirror answers 404 for a variant is the next one tried.
func (c *Client) fetchIndex(ctx context.Context, what string, rel *Release, variants []string) (name string, data []byte, fromCache bool, err error) {
	for _, v := range variants {
		if d := c.cached(rel.Files[v]); d != nil {
			return v, d, true, nil
		}
	}
	urls, err := c.mirrorsOf(rel.Archive, rel.Mirror)
	if err != nil {
		return "", nil, false, err
	}
	base := "dists/" + rel.Suite + "/"
	for i, v := range variants {
		want := rel.Files[v]
		paths := []string{base + v}
		if rel.AcquireByHash {
			// by-hash files stay while mirrors update, so the file of this
			// Release is there even if a newer one has replaced it.
			paths = []string{base + path.Dir(v) + "/by-hash/SHA256/" + want.SHA256, base + v}
		}
		f, err := c.get(ctx, what, urls, paths, want.Size)
		if errors.Is(err, errNotFound) && i+1 < len(variants) {
			c.logf("%s: %s%s %v: trying %s%s", what, base, v, err, base, variants[i+1])
			continue
		}
		if err != nil {
			return "", nil, false, err
		}
		if got := sha256Hex(f.data); int64(len(f.data)) != want.Size || got != want.SHA256 {
			return "", nil, false, fmt.Errorf("%s from %s: size %d and sha256 %s, but the Release says size %d and sha256 %s",
				f.path, f.mirror, len(f.data), got, want.Size, want.SHA256)
		}
		return v, f.data, false, nil
	}
	panic("unreachable: the last variant returns")
}

// cached returns the cached file with f's sha256, or nil.
func (c *Client) cached(f File) []byte {
	if c.cache == "" {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(c.cache, "sha256", f.SHA256))
	if err != nil || int64(len(data)) != f.Size || sha256Hex(data) != f.SHA256 {
		return nil // absent or damaged: fetch it again
	}
	return data
}

// store writes a verified file to the cache.
func (c *Client) store(f File, data []byte) error {
	if c.cache == "" {
		return nil
	}
	dir := filepath.Join(c.cache, "sha256")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, f.SHA256), data); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}

// decompress decompresses a verified index by the extension of its name.
// plain is the Release's entry for the uncompressed file (Size -1 when it
// has none): the result must match it.
func decompress(name string, data []byte, plain File) ([]byte, error) {
	var r io.Reader
	var err error
	switch path.Ext(name) {
	case ".xz":
		r, err = xz.NewReader(bytes.NewReader(data))
	case ".gz":
		r, err = gzip.NewReader(bytes.NewReader(data))
	default:
		r = bytes.NewReader(data)
	}
	if err != nil {
		return nil, fmt.Errorf("decompressing %s: %w", name, err)
	}
	limit := int64(maxPackages)
	if plain.Size >= 0 {
		limit = plain.Size
	}
	text, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("decompressing %s: %w", name, err)
	}
	if int64(len(text)) > limit {
		return nil, fmt.Errorf("decompressing %s: larger than %d bytes", name, limit)
	}
	if plain.Size >= 0 {
		if got := sha256Hex(text); int64(len(text)) != plain.Size || got != plain.SHA256 {
			return nil, fmt.Errorf("decompressing %s: size %d and sha256 %s, but the Release says size %d and sha256 %s for the uncompressed file",
				name, len(text), got, plain.Size, plain.SHA256)
		}
	}
	return text, nil
}

// parsePackages parses the paragraphs of a Packages file.
func parsePackages(text []byte, rel *Release, component string) ([]Candidate, error) {
	if bytes.HasPrefix(text, []byte("-----BEGIN PGP")) {
		return nil, errors.New("an OpenPGP message, not a Packages index")
	}
	d, err := control.NewDecoder(bytes.NewReader(text), nil)
	if err != nil {
		return nil, flatError{err}
	}
	// About 1 kB per paragraph in Debian's indexes.
	cands := make([]Candidate, 0, len(text)/1024)
	for n := 1; ; n++ {
		var bi control.BinaryIndex
		err := d.Decode(&bi)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("paragraph %d: %w", n, flatError{err})
		}
		if err := checkParagraph(&bi); err != nil {
			return nil, fmt.Errorf("paragraph %d (package %q): %w", n, bi.Package, err)
		}
		cands = append(cands, Candidate{BinaryIndex: bi, Archive: rel.Archive, Suite: rel.Suite, Component: component})
	}
	return slices.Clip(cands), nil
}

// packageName is a Debian package name (Debian Policy 5.6.1).
var packageName = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)

func checkParagraph(bi *control.BinaryIndex) error {
	switch {
	case bi.Package == "":
		return errors.New("no Package")
	case !packageName.MatchString(bi.Package):
		return fmt.Errorf("Package %q is not a Debian package name", bi.Package)
	case bi.Version.Version == "":
		return errors.New("no Version")
	case strings.Contains(bi.Architecture.CPU, "-"):
		// Arch.String of pault.ag/go/debian panics on these.
		return fmt.Errorf("Architecture %q is not an architecture name", bi.Values["Architecture"])
	case bi.Architecture.String() == "":
		return errors.New("no Architecture")
	case !safePath(bi.Filename):
		return fmt.Errorf("Filename %q is not a path in the archive", bi.Filename)
	case !isSHA256(bi.SHA256):
		return fmt.Errorf("SHA256 %q is not a sha256", bi.SHA256)
	case bi.Size <= 0:
		return fmt.Errorf("Size %d", bi.Size)
	}
	return nil
}

// flatError keeps the error of pault.ag/go/debian/control on one line: it
// quotes the offending line with its line break.
type flatError struct{ err error }

func (e flatError) Error() string { return lineBreaks.Replace(e.err.Error()) }

var lineBreaks = strings.NewReplacer("\n", `\n`, "\r", `\r`)

func (e flatError) Unwrap() error { return e.err }

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// groupDigits writes n with its digits in groups of three: 63 512.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
