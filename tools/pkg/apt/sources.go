package apt

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// SourceEntry is one entry of the apt sources: a deb822 paragraph of a
// .sources file or one line of a one-line-style .list file. Field names of
// deb822 paragraphs are case-insensitive; Options holds the other fields
// (deb822) or the [key=value] options (one-line), keys in lower case.
type SourceEntry struct {
	// File and Line say where the entry starts.
	File string
	Line int

	Types      []string
	URIs       []string
	Suites     []string
	Components []string
	// Enabled is false for a deb822 entry with "Enabled: no".
	Enabled bool
	Options map[string]string
}

// ReadAptSources reads the apt sources under aptDir (like "/etc/apt"):
// sources.list, then sources.list.d/*.list and *.sources in the order of
// their names, as apt reads them. Missing files are fine. It returns the
// mirrors of the Debian entries among them (see DebianArchive), in the
// order they appear.
func ReadAptSources(aptDir string) (Mirrors, error) {
	files := []string{filepath.Join(aptDir, "sources.list")}
	dir := filepath.Join(aptDir, "sources.list.d")
	dirents, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading apt sources: %w", err)
	}
	var names []string
	for _, e := range dirents {
		if n := e.Name(); !e.IsDir() && (strings.HasSuffix(n, ".list") || strings.HasSuffix(n, ".sources")) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		files = append(files, filepath.Join(dir, n))
	}

	m := Mirrors{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading apt sources: %w", err)
		}
		var entries []SourceEntry
		if strings.HasSuffix(file, ".sources") {
			entries, err = ParseDeb822Sources(file, data)
		} else {
			entries, err = ParseOneLineSources(file, data)
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			for name, urls := range e.Mirrors() {
				m.add(name, urls...)
			}
		}
	}
	return m, nil
}

// Mirrors returns what the entry contributes to the mirror map: each of
// its http(s) URIs for the archive of each of its suites, when it is an
// enabled "deb" entry of the Debian archive (see DebianArchive).
func (e SourceEntry) Mirrors() Mirrors {
	m := Mirrors{}
	if !e.Enabled || !slices.Contains(e.Types, "deb") {
		return m
	}
	if !slices.Contains(e.Components, "main") && !slices.Contains(e.Components, "updates/main") {
		return m
	}
	if by := e.Options["signed-by"]; strings.HasPrefix(by, "/") && !strings.Contains(path.Base(by), "debian") {
		return m // a third-party repository that happens to use a Debian suite name
	}
	for _, uri := range e.URIs {
		base, err := NormalizeURL(uri)
		if err != nil {
			continue // cdrom:, file:, mirror+file:, tor+http: ...
		}
		for _, suite := range e.Suites {
			if name := DebianArchive(suite, base); name != "" {
				m.add(name, base)
			}
		}
	}
	return m
}

// debianCodenames are the code names of Debian releases, past and planned.
var debianCodenames = map[string]bool{
	"buzz": true, "rex": true, "bo": true, "hamm": true, "slink": true, "potato": true,
	"woody": true, "sarge": true, "etch": true, "lenny": true, "squeeze": true,
	"wheezy": true, "jessie": true, "stretch": true, "buster": true, "bullseye": true,
	"bookworm": true, "trixie": true, "forky": true, "duke": true, "sid": true,
}

// debianAliases are the suite names that move from release to release.
var debianAliases = map[string]bool{
	"oldoldstable": true, "oldstable": true, "stable": true, "testing": true, "unstable": true,
}

// DebianArchive returns the archive name a Debian apt entry with the given
// suite and base URL serves: "debian-security" for suites ending in
// "-security" (or "/updates", before bullseye), "debian" for the others
// (release, -updates, -backports, -proposed-updates), and "" when the entry
// is not Debian's. A suite is Debian's when it is a Debian code name
// (bookworm, trixie, sid...), or an alias (stable, oldstable, testing...)
// at a URL whose last path element contains "debian" (third-party
// repositories use "stable" too).
func DebianArchive(suite, base string) string {
	name := "debian"
	for _, s := range []string{"-security", "/updates"} {
		if b, ok := strings.CutSuffix(suite, s); ok {
			suite, name = b, "debian-security"
			break
		}
	}
	if name == "debian" {
		for _, s := range []string{"-proposed-updates", "-backports-sloppy", "-backports", "-updates"} {
			if b, ok := strings.CutSuffix(suite, s); ok {
				suite = b
				break
			}
		}
	}
	if debianCodenames[suite] {
		return name
	}
	if debianAliases[suite] {
		if u, err := url.Parse(base); err == nil && strings.Contains(path.Base(u.Path), "debian") {
			return name
		}
	}
	return ""
}

var fieldName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*$`)

// ParseDeb822Sources parses a deb822-style .sources file: paragraphs of
// "Field: value" lines separated by blank lines, continuation lines
// starting with a space or tab, comment lines starting with '#'.
func ParseDeb822Sources(file string, data []byte) ([]SourceEntry, error) {
	var entries []SourceEntry
	var fields map[string]string
	var start int
	last := ""
	flush := func() error {
		if fields == nil {
			return nil
		}
		e := SourceEntry{
			File: file, Line: start, Enabled: true, Options: map[string]string{},
			Types:      strings.Fields(fields["types"]),
			URIs:       strings.Fields(fields["uris"]),
			Suites:     strings.Fields(fields["suites"]),
			Components: strings.Fields(fields["components"]),
		}
		for k, v := range fields {
			switch k {
			case "types", "uris", "suites", "components":
			case "enabled":
				e.Enabled = !isFalse(v)
			default:
				e.Options[k] = v
			}
		}
		fields = nil
		if len(e.Types) == 0 || len(e.URIs) == 0 || len(e.Suites) == 0 {
			return fmt.Errorf("%s:%d: an apt source needs Types, URIs and Suites", file, start)
		}
		entries = append(entries, e)
		return nil
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \t\r")
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.TrimSpace(line) == "":
			if err := flush(); err != nil {
				return nil, err
			}
		case line[0] == ' ' || line[0] == '\t':
			if fields == nil {
				return nil, fmt.Errorf("%s:%d: continuation line outside a field", file, n)
			}
			fields[last] += "\n" + strings.TrimSpace(line)
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok || !fieldName.MatchString(k) {
				return nil, fmt.Errorf("%s:%d: want \"Field: value\", got %q", file, n, line)
			}
			if fields == nil {
				fields, start = map[string]string{}, n
			}
			last = strings.ToLower(k)
			fields[last] = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return entries, nil
}

// ParseOneLineSources parses a one-line-style sources.list:
// "TYPE [ key=value ... ] URI SUITE [COMPONENT...]", '#' starting a comment.
func ParseOneLineSources(file string, data []byte) ([]SourceEntry, error) {
	var entries []SourceEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		words := strings.Fields(line)
		if len(words) == 0 {
			continue
		}
		e := SourceEntry{File: file, Line: n, Enabled: true, Types: words[:1], Options: map[string]string{}}
		switch words[0] {
		case "deb", "deb-src":
		default:
			return nil, fmt.Errorf("%s:%d: unknown type %q: want deb or deb-src", file, n, words[0])
		}
		words = words[1:]
		if len(words) > 0 && strings.HasPrefix(words[0], "[") {
			// The options may be "[a=b c=d]", "[ a=b c=d ]" or "[a=b" ... "c=d]".
			var opts []string
			closed := false
			for len(words) > 0 && !closed {
				w := words[0]
				words = words[1:]
				if strings.HasSuffix(w, "]") {
					w, closed = strings.TrimSuffix(w, "]"), true
				}
				opts = append(opts, strings.Fields(strings.TrimPrefix(w, "["))...)
			}
			if !closed {
				return nil, fmt.Errorf("%s:%d: options without a closing ]", file, n)
			}
			for _, o := range opts {
				k, v, ok := strings.Cut(o, "=")
				if !ok {
					return nil, fmt.Errorf("%s:%d: option %q: want key=value", file, n, o)
				}
				e.Options[strings.ToLower(k)] = v
			}
		}
		if len(words) < 2 {
			return nil, fmt.Errorf("%s:%d: want TYPE [OPTIONS] URI SUITE [COMPONENT...]", file, n)
		}
		e.URIs, e.Suites, e.Components = words[:1], words[1:2], words[2:]
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	return entries, nil
}

func isFalse(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "no", "false", "off", "without", "disable", "0":
		return true
	}
	return false
}
