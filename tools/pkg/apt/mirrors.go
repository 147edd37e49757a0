package apt

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// EnvMirrors is the environment variable that names mirrors, e.g.
// "debian=URL1,URL2 debian-security=URL3".
const EnvMirrors = "DISTILL_DEBIAN_MIRRORS"

// Mirrors maps an archive name ("debian", "debian-security") to base URLs
// tried in order. A base URL is the root of the archive, the directory that
// holds dists/ and pool/, without a trailing slash.
type Mirrors map[string][]string

var archiveName = regexp.MustCompile(`^[a-z0-9][a-z0-9._+-]*$`)

// ResolveMirrors merges, in priority order, flags ("NAME=URL" or
// "NAME=URL1,URL2" strings), env (the value of DISTILL_DEBIAN_MIRRORS:
// space-separated "NAME=URL[,URL...]") and the Debian entries of the apt
// sources under aptDir (like "/etc/apt"; "" skips them, see
// ReadAptSources). For each archive name, the first of these sources that
// names it gives all of its URLs, in the order written there; later sources
// only fill in the names the earlier ones do not mention. Duplicate URLs are
// dropped.
func ResolveMirrors(flags []string, env string, aptDir string) (Mirrors, error) {
	fromFlags := Mirrors{}
	for _, f := range flags {
		name, urls, err := ParseMirror(f)
		if err != nil {
			return nil, fmt.Errorf("--mirror %w", err)
		}
		fromFlags.add(name, urls...)
	}
	fromEnv, err := ParseMirrorsEnv(env)
	if err != nil {
		return nil, err
	}
	fromApt := Mirrors{}
	if aptDir != "" {
		if fromApt, err = ReadAptSources(aptDir); err != nil {
			return nil, err
		}
	}
	m := Mirrors{}
	for _, source := range []Mirrors{fromFlags, fromEnv, fromApt} {
		for name, urls := range source {
			if _, ok := m[name]; !ok {
				m[name] = urls
			}
		}
	}
	return m, nil
}

// ParseMirror parses "NAME=URL" or "NAME=URL1,URL2", the value of a
// --mirror flag.
func ParseMirror(s string) (name string, urls []string, err error) {
	name, list, ok := strings.Cut(s, "=")
	if !ok || name == "" || list == "" {
		return "", nil, fmt.Errorf("%q: want NAME=URL[,URL...]", s)
	}
	if !archiveName.MatchString(name) {
		return "", nil, fmt.Errorf("%q: archive name %q: want lower-case letters, digits and . _ + -", s, name)
	}
	for _, u := range strings.Split(list, ",") {
		base, err := NormalizeURL(u)
		if err != nil {
			return "", nil, fmt.Errorf("%q: %w", s, err)
		}
		urls = append(urls, base)
	}
	return name, urls, nil
}

// ParseMirrorsEnv parses the value of DISTILL_DEBIAN_MIRRORS:
// space-separated "NAME=URL[,URL...]" words. An empty value names nothing.
func ParseMirrorsEnv(env string) (Mirrors, error) {
	m := Mirrors{}
	for _, word := range strings.Fields(env) {
		name, urls, err := ParseMirror(word)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvMirrors, err)
		}
		m.add(name, urls...)
	}
	return m, nil
}

// NormalizeURL checks that s is an absolute http or https URL and returns
// it without trailing slashes.
func NormalizeURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("mirror URL %q: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("mirror URL %q: want http://HOST/PATH or https://HOST/PATH", s)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("mirror URL %q: want no user, query or fragment", s)
	}
	return strings.TrimRight(s, "/"), nil
}

// add appends urls to name, skipping the ones it already has.
func (m Mirrors) add(name string, urls ...string) {
	for _, u := range urls {
		dup := false
		for _, have := range m[name] {
			dup = dup || have == u
		}
		if !dup {
			m[name] = append(m[name], u)
		}
	}
}
