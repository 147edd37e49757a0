package deblayer

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// CheckPattern reports why p is not a valid Options.Include or
// Options.Exclude pattern, if it is not. A pattern is a layer path without
// a leading "/" or "./" and without a trailing "/", whose elements are
// "**" (any number of elements, none included) or path.Match patterns
// ("*" and "?" within one element, "[...]" classes, "\" escapes).
func CheckPattern(p string) error {
	_, err := compile(p)
	return err
}

// pattern is a compiled Include or Exclude pattern: its elements, always
// ending in "**" so that it also matches everything below what it names.
type pattern []string

func compile(p string) (pattern, error) {
	switch {
	case p == "":
		return nil, errors.New("empty pattern")
	case strings.HasPrefix(p, "/"), strings.HasPrefix(p, "./"):
		return nil, fmt.Errorf("pattern %q: patterns are layer paths, relative to the image root: drop the leading %q", p, p[:strings.Index(p, "/")+1])
	case strings.HasSuffix(p, "/"):
		return nil, fmt.Errorf("pattern %q: trailing slash: a pattern already matches everything below what it names", p)
	}
	elems := strings.Split(p, "/")
	for _, e := range elems {
		switch {
		case e == "":
			return nil, fmt.Errorf("pattern %q: empty element", p)
		case e == "." || e == "..":
			return nil, fmt.Errorf("pattern %q: %q element", p, e)
		case e != "**" && strings.Contains(e, "**"):
			return nil, fmt.Errorf("pattern %q: \"**\" must be a whole element (a/**/b), in %q", p, e)
		}
		if _, err := path.Match(e, ""); err != nil {
			return nil, fmt.Errorf("pattern %q: element %q: %w", p, e, err)
		}
	}
	if elems[len(elems)-1] != "**" {
		elems = append(elems, "**")
	}
	return pattern(elems), nil
}

// match reports whether the layer path p, or a directory above it, matches.
func (pat pattern) match(p string) bool {
	return matchElems(pat, strings.Split(p, "/"))
}

func matchElems(pat, elems []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(elems); i++ {
				if matchElems(pat[1:], elems[i:]) {
					return true
				}
			}
			return false
		}
		if len(elems) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], elems[0]); !ok {
			return false
		}
		pat, elems = pat[1:], elems[1:]
	}
	return len(elems) == 0
}

// filter decides which layer paths Options.Include and Options.Exclude keep.
type filter struct {
	include, exclude []pattern
}

func newFilter(include, exclude []string) (*filter, error) {
	f := &filter{}
	for _, list := range []struct {
		flag string
		ps   []string
		dst  *[]pattern
	}{{"include", include, &f.include}, {"exclude", exclude, &f.exclude}} {
		for _, p := range list.ps {
			c, err := compile(p)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", list.flag, err)
			}
			*list.dst = append(*list.dst, c)
		}
	}
	return f, nil
}

// verdict is what the filter says of a layer path.
type verdict int

const (
	keep    verdict = iota
	exclude         // an Exclude pattern matches
	// outside: there are Include patterns and none matches. A directory
	// outside is still written when a kept entry below it is.
	outside
)

func (f *filter) judge(p string) verdict {
	for _, pat := range f.exclude {
		if pat.match(p) {
			return exclude
		}
	}
	if len(f.include) == 0 {
		return keep
	}
	for _, pat := range f.include {
		if pat.match(p) {
			return keep
		}
	}
	return outside
}
