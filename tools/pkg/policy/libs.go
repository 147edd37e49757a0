package policy

import (
	"debug/elf"
	"fmt"
	"path"
	"strings"

	"github.com/rules-distill/rules_distill/tools/pkg/ldcache"
)

// loaded is an ELF object the loader maps: its path as found and its facts.
type loaded struct {
	path string
	elf  *ELFInfo
}

// libraries checks every dynamic executable of the image (an ELF file with
// an x bit and a PT_INTERP): its interpreter must be in the image, and so
// must every DT_NEEDED library of it and of the libraries it loads, found
// the way glibc's loader finds them: DT_RPATH (of the object and the
// objects that loaded it, when the object has no DT_RUNPATH),
// LD_LIBRARY_PATH of the image's Env, DT_RUNPATH, /etc/ld.so.cache, then
// the default directories (/lib/<triplet>, /usr/lib/<triplet>, /lib,
// /usr/lib), with $ORIGIN, $LIB and $PLATFORM expanded and symlinks
// followed inside the image. Libraries of another ELF class or machine are
// skipped, as the loader skips them. hwcaps subdirectories and
// /etc/ld.so.conf are not read (the cache covers what they add).
func (c *checker) libraries() {
	arch, known := ldcache.Archs[c.cfg.Architecture]
	defaults := []string{"/lib", "/usr/lib"}
	var cache map[string]string
	if known {
		defaults = arch.Dirs()
		if _, n, ok := c.fs.Resolve("/etc/ld.so.cache"); ok && n.Kind == File && n.Data.Kept {
			cache = parseLdCache(n.Data.Content, arch.Flags)
		}
	}
	r := &libResolver{fs: c.fs, defaults: defaults, cache: cache, triplet: arch.Triplet, platform: platform[c.cfg.Architecture]}
	if v, ok := c.env["LD_LIBRARY_PATH"]; ok {
		r.ldLibraryPath = strings.Split(v, ":")
	}
	c.fs.Walk(func(p string, n *Node) {
		if n.Kind != File || n.Mode&0o111 == 0 || n.Data.ELF == nil || n.Data.ELF.Invalid || n.Data.ELF.Interp == "" {
			return
		}
		if _, in, ok := c.fs.Resolve(n.Data.ELF.Interp); !ok || in.Kind != File {
			c.add(RuleLibraries, p, fmt.Sprintf("its ELF interpreter %s is not in the image: the program cannot start", n.Data.ELF.Interp),
				"build on an image with the C library (e.g. base or cc instead of static), or build the program statically")
			return
		}
		for _, m := range r.missing(loaded{path: p, elf: n.Data.ELF}) {
			c.add(RuleLibraries, p, m, "add the package or layer that has the library (e.g. build on cc for libstdc++), or link it statically")
		}
	})
}

var platform = map[string]string{"amd64": "x86_64", "arm64": "aarch64"}

type libResolver struct {
	fs            *FS
	defaults      []string
	cache         map[string]string
	triplet       string
	platform      string
	ldLibraryPath []string
}

// missing walks the DT_NEEDED closure of the executable exe breadth first
// and describes each library that cannot be found.
func (r *libResolver) missing(exe loaded) []string {
	// $ORIGIN of the executable is its real directory (/proc/self/exe).
	if real, _, ok := r.fs.Resolve(exe.path); ok {
		exe.path = real
	}
	type item struct {
		obj     loaded
		loaders []loaded // the objects that led to obj, the executable first
	}
	var problems []string
	seen := map[string]bool{}
	queue := []item{{obj: exe}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		for _, name := range it.obj.elf.Needed {
			if seen[name] {
				continue
			}
			seen[name] = true
			lib, searched, ok := r.find(name, it.obj, it.loaders)
			if !ok {
				by := ""
				if it.obj.path != exe.path {
					by = " (through " + it.obj.path + ")"
				}
				problems = append(problems, fmt.Sprintf("needs %s%s, which is in none of %s: the program cannot start", name, by, strings.Join(searched, ", ")))
				continue
			}
			queue = append(queue, item{obj: lib, loaders: append(append([]loaded(nil), it.loaders...), it.obj)})
		}
	}
	return problems
}

// find looks name up for the object obj loaded by loaders and returns the
// library, or the directories searched.
func (r *libResolver) find(name string, obj loaded, loaders []loaded) (loaded, []string, bool) {
	if strings.Contains(name, "/") {
		l, ok := r.try(name, obj)
		return l, []string{name}, ok
	}
	var dirs []string
	if len(obj.elf.Runpath) == 0 {
		for i := len(loaders) - 1; i >= -1; i-- {
			o := obj
			if i >= 0 {
				o = loaders[i]
			}
			if len(o.elf.Runpath) == 0 {
				dirs = append(dirs, r.expand(o.elf.Rpath, o)...)
			}
		}
	}
	dirs = append(dirs, r.ldLibraryPath...)
	dirs = append(dirs, r.expand(obj.elf.Runpath, obj)...)
	for _, d := range dirs {
		if d == "" {
			continue
		}
		if l, ok := r.try(path.Join(d, name), obj); ok {
			return l, dirs, true
		}
	}
	if p, ok := r.cache[name]; ok {
		if l, ok := r.try(p, obj); ok {
			return l, dirs, true
		}
	}
	for _, d := range r.defaults {
		if l, ok := r.try(path.Join(d, name), obj); ok {
			return l, dirs, true
		}
	}
	var searched []string
	for _, d := range dirs {
		if d != "" {
			searched = append(searched, d)
		}
	}
	if r.cache != nil {
		searched = append(searched, "/etc/ld.so.cache")
	}
	return loaded{}, append(searched, r.defaults...), false
}

// try returns the library at p if it is an ELF file the loader of obj can map.
func (r *libResolver) try(p string, obj loaded) (loaded, bool) {
	if !strings.HasPrefix(p, "/") {
		return loaded{}, false
	}
	_, n, ok := r.fs.Resolve(p)
	if !ok || n.Kind != File || n.Data.ELF == nil || n.Data.ELF.Invalid {
		return loaded{}, false
	}
	if n.Data.ELF.Class != obj.elf.Class || n.Data.ELF.Machine != obj.elf.Machine || n.Data.ELF.Type != elf.ET_DYN {
		return loaded{}, false
	}
	return loaded{path: path.Clean(p), elf: n.Data.ELF}, true
}

// expand replaces the dynamic string tokens of the search directories of o.
func (r *libResolver) expand(dirs []string, o loaded) []string {
	var out []string
	origin := path.Dir(o.path)
	for _, d := range dirs {
		d = strings.NewReplacer(
			"${ORIGIN}", origin, "$ORIGIN", origin,
			"${LIB}", "lib/"+r.triplet, "$LIB", "lib/"+r.triplet,
			"${PLATFORM}", r.platform, "$PLATFORM", r.platform,
		).Replace(d)
		out = append(out, d)
	}
	return out
}
