package inspect

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"pault.ag/go/debian/control"
)

// Where Debian keeps its package database.
const (
	// statusDir holds one control file per package, and its md5sums, in
	// distroless images (deb_layer writes them).
	statusDir = "var/lib/dpkg/status.d"
	// statusFile is dpkg's own database: one paragraph per package.
	statusFile = "var/lib/dpkg/status"
	// infoDir holds <pkg>[:<arch>].md5sums next to statusFile.
	infoDir = "var/lib/dpkg/info"
)

// Control is what a package's control paragraph says about it.
type Control struct {
	Name, Version, Architecture, Source string
	InstalledSizeKiB                    int64
	// Installed is false for a dpkg status paragraph whose Status is not
	// "install ok installed".
	Installed bool
}

// ParseControl parses the control paragraphs in data: a status.d file
// (one paragraph) or dpkg's status file (one per package).
func ParseControl(data []byte) ([]Control, error) {
	pr, err := control.NewParagraphReader(bytes.NewReader(data), nil)
	if err != nil {
		return nil, err
	}
	var out []Control
	for {
		para, err := pr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		v := para.Values
		c := Control{
			Name:         v["Package"],
			Version:      v["Version"],
			Architecture: v["Architecture"],
			Source:       v["Source"],
			Installed:    true,
		}
		if c.Name == "" {
			return nil, errors.New("a paragraph has no Package field")
		}
		if s, ok := v["Status"]; ok {
			f := strings.Fields(s)
			c.Installed = len(f) > 0 && f[len(f)-1] == "installed"
		}
		if s := v["Installed-Size"]; s != "" {
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("package %s: Installed-Size %q is not a number", c.Name, s)
			}
			c.InstalledSizeKiB = n
		}
		out = append(out, c)
	}
}

// ParseMD5Sums returns the paths (relative to the image root) that an
// md5sums file lists: lines of "<md5 hex>  <path>".
func ParseMD5Sums(data []byte) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		sum, rest, ok := strings.Cut(line, " ")
		if !ok || len(sum) != 32 || strings.Trim(sum, "0123456789abcdefABCDEF") != "" {
			return nil, fmt.Errorf("line %d: %q is not \"<md5>  <path>\"", n, line)
		}
		p, err := cleanPath(strings.TrimPrefix(strings.TrimLeft(rest, " "), "*"))
		if err != nil || p == "" {
			return nil, fmt.Errorf("line %d: bad path in %q", n, line)
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// packages reads the package database of the flattened filesystem files
// (whose database files' contents are in captured) and sizes each package
// by its files there. It also returns which package lists each file.
func packages(files []File, captured map[string][]byte) ([]Package, map[string]string, error) {
	byPath := make(map[string]*File, len(files))
	for i := range files {
		byPath[strings.TrimPrefix(files[i].Path, "/")] = &files[i]
	}
	type entry struct {
		c       Control
		layer   int
		md5sums string // path of its md5sums file
	}
	var entries []entry
	for i := range files {
		p := strings.TrimPrefix(files[i].Path, "/")
		if files[i].Type != TypeFile || !strings.HasPrefix(p, statusDir+"/") || strings.HasSuffix(p, ".md5sums") {
			continue
		}
		data, ok := captured[p]
		if !ok {
			continue // in a subdirectory, or too large to be a control file
		}
		cs, err := ParseControl(data)
		if err != nil {
			return nil, nil, fmt.Errorf("package database %s: %w", files[i].Path, err)
		}
		for _, c := range cs {
			entries = append(entries, entry{c: c, layer: files[i].Layer, md5sums: p + ".md5sums"})
		}
	}
	if f, ok := byPath[statusFile]; ok && f.Type == TypeFile {
		if data, ok := captured[statusFile]; ok {
			cs, err := ParseControl(data)
			if err != nil {
				return nil, nil, fmt.Errorf("package database /%s: %w", statusFile, err)
			}
			for _, c := range cs {
				if !c.Installed {
					continue
				}
				md5 := infoDir + "/" + c.Name + ":" + c.Architecture + ".md5sums"
				if _, ok := captured[md5]; !ok {
					md5 = infoDir + "/" + c.Name + ".md5sums"
				}
				entries = append(entries, entry{c: c, layer: f.Layer, md5sums: md5})
			}
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].c.Name < entries[j].c.Name })
	owner := map[string]string{}
	out := []Package{}
	for _, e := range entries {
		p := Package{
			Name:             e.c.Name,
			Version:          e.c.Version,
			Architecture:     e.c.Architecture,
			Source:           e.c.Source,
			InstalledSizeKiB: e.c.InstalledSizeKiB,
			Layer:            e.layer,
		}
		var listed []string
		if f, ok := byPath[e.md5sums]; ok && f.Type == TypeFile {
			data, ok := captured[e.md5sums]
			if !ok {
				return nil, nil, fmt.Errorf("package %s: /%s is larger than %d bytes", p.Name, e.md5sums, maxCaptured)
			}
			var err error
			if listed, err = ParseMD5Sums(data); err != nil {
				return nil, nil, fmt.Errorf("package %s: /%s: %w", p.Name, e.md5sums, err)
			}
		}
		sort.Strings(listed)
		h := sha256.New()
		for _, l := range listed {
			p.Listed++
			f, ok := byPath[l]
			if !ok || f.Type != TypeFile {
				continue
			}
			p.Files++
			p.Size += f.Size
			fmt.Fprintf(h, "%s %s\n", f.Path, f.Digest)
			if _, taken := owner[f.Path]; !taken {
				owner[f.Path] = p.Name
			}
		}
		p.FilesDigest = fmt.Sprintf("sha256:%x", h.Sum(nil))
		out = append(out, p)
	}
	return out, owner, nil
}
