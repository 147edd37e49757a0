package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"gopkg.in/yaml.v3"
)

// Spec is a set of structure assertions about one image (the YAML of an
// image_test's `spec`, or what its Starlark attributes say). See
// docs/hardening.md for the format.
type Spec struct {
	// Version is the format version; only 1 exists (0: not given, means 1).
	Version int `yaml:"version"`
	// Files are assertions about paths of the image's filesystem.
	Files []FileAssertion `yaml:"files"`
	// Config is about the image config.
	Config ConfigAssertion `yaml:"config"`
}

// FileAssertion is about one path.
type FileAssertion struct {
	// Path is absolute, e.g. "/etc/passwd".
	Path string `yaml:"path"`
	// Exists: true (the default) or false (the path must be absent).
	Exists *bool `yaml:"exists"`
	// Kind of the path itself (a symlink is not followed): file, dir or symlink.
	Kind string `yaml:"kind"`
	// Target of a symlink, verbatim.
	Target string `yaml:"target"`
	// Mode is the octal permission bits, e.g. "0755", of what the path
	// resolves to (symlinks followed).
	Mode string `yaml:"mode"`
	// Owner is "UID:GID", numeric, of what the path resolves to.
	Owner string `yaml:"owner"`
	// Contains are regular expressions (Go RE2 syntax) that must match the
	// file's content; Excludes must not match.
	Contains []string `yaml:"contains"`
	Excludes []string `yaml:"excludes"`
}

// ConfigAssertion is about the image config; what is not given is not checked.
type ConfigAssertion struct {
	// Env entries must have exactly these values.
	Env map[string]string `yaml:"env"`
	// Unset lists variables that must not be in Env.
	Unset      []string  `yaml:"unset"`
	User       *string   `yaml:"user"`
	Workdir    *string   `yaml:"workdir"`
	Entrypoint *[]string `yaml:"entrypoint"`
	Cmd        *[]string `yaml:"cmd"`
	// ExposedPorts is the exact set, e.g. ["8080/tcp"] ("8080" means tcp).
	ExposedPorts *[]string `yaml:"exposed_ports"`
	// Labels must have exactly these values.
	Labels map[string]string `yaml:"labels"`
}

// ParseSpec parses a spec in YAML (or JSON); unknown fields are errors, so
// that a misspelt assertion fails instead of being ignored.
func ParseSpec(data []byte) (*Spec, error) {
	var s Spec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parsing the spec: %w", err)
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

func (s *Spec) validate() error {
	if s.Version != 0 && s.Version != 1 {
		return fmt.Errorf("spec: version %d: only version 1 exists", s.Version)
	}
	for i, f := range s.Files {
		where := fmt.Sprintf("spec: files[%d] (%s)", i, f.Path)
		if !strings.HasPrefix(f.Path, "/") || path.Clean(f.Path) != f.Path {
			return fmt.Errorf("%s: path must be absolute and clean, e.g. \"/etc/passwd\"", where)
		}
		if f.Exists != nil && !*f.Exists && (f.Kind != "" || f.Target != "" || f.Mode != "" || f.Owner != "" || len(f.Contains)+len(f.Excludes) > 0) {
			return fmt.Errorf("%s: exists: false takes no other assertion", where)
		}
		if f.Kind != "" && f.Kind != "file" && f.Kind != "dir" && f.Kind != "symlink" {
			return fmt.Errorf("%s: kind %q is not one of file, dir, symlink", where, f.Kind)
		}
		if f.Mode != "" {
			if m, err := strconv.ParseUint(f.Mode, 8, 32); err != nil || m > 0o7777 {
				return fmt.Errorf("%s: mode %q is not octal permission bits such as \"0755\"", where, f.Mode)
			}
		}
		if f.Owner != "" {
			u, g, ok := strings.Cut(f.Owner, ":")
			if !ok || !isNumber(u) || !isNumber(g) {
				return fmt.Errorf("%s: owner %q is not numeric \"UID:GID\" such as \"0:0\"", where, f.Owner)
			}
		}
		for _, re := range append(slices.Clone(f.Contains), f.Excludes...) {
			if _, err := regexp.Compile(re); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		}
	}
	return nil
}

// Merge appends the assertions of o to s; o's config values win.
func (s *Spec) Merge(o *Spec) {
	s.Files = append(s.Files, o.Files...)
	c := &s.Config
	for k, v := range o.Config.Env {
		if c.Env == nil {
			c.Env = map[string]string{}
		}
		c.Env[k] = v
	}
	for k, v := range o.Config.Labels {
		if c.Labels == nil {
			c.Labels = map[string]string{}
		}
		c.Labels[k] = v
	}
	c.Unset = append(c.Unset, o.Config.Unset...)
	if o.Config.User != nil {
		c.User = o.Config.User
	}
	if o.Config.Workdir != nil {
		c.Workdir = o.Config.Workdir
	}
	if o.Config.Entrypoint != nil {
		c.Entrypoint = o.Config.Entrypoint
	}
	if o.Config.Cmd != nil {
		c.Cmd = o.Config.Cmd
	}
	if o.Config.ExposedPorts != nil {
		c.ExposedPorts = o.Config.ExposedPorts
	}
}

// Keep reports whether ReadFS must keep the content of the file at p for
// the spec: its base name is that of a path with content assertions (a
// symlinked directory on the way does not change the base name).
func (s *Spec) Keep(p string) bool {
	base := path.Base(p)
	for _, f := range s.Files {
		if len(f.Contains)+len(f.Excludes) > 0 && path.Base(f.Path) == base {
			return true
		}
	}
	return false
}

// Evaluate returns a RuleSpec finding for every assertion of s that the
// image does not meet.
func (s *Spec) Evaluate(fs *FS, cfg *v1.ConfigFile) []Finding {
	var out []Finding
	add := func(p, problem, fix string) {
		out = append(out, Finding{Rule: RuleSpec, Path: p, Problem: problem, Fix: fix})
	}
	for _, f := range s.Files {
		n, ok := fs.Lookup(f.Path)
		if f.Exists != nil && !*f.Exists {
			if ok {
				add(f.Path, fmt.Sprintf("must be absent, but the image has a %s there", n.Kind), "remove it from the layers, or drop the assertion")
			}
			continue
		}
		if !ok {
			add(f.Path, "must exist, but the image has nothing there", "add it to a layer, or fix the path")
			continue
		}
		if f.Kind != "" && n.Kind.String() != f.Kind {
			add(f.Path, fmt.Sprintf("must be a %s, but is a %s", f.Kind, n.Kind), "fix the layer that writes it")
		}
		if f.Target != "" && (n.Kind != Symlink || n.Target != f.Target) {
			add(f.Path, fmt.Sprintf("must be a symlink to %q, but is a %s%s", f.Target, n.Kind, linkTo(n)), "fix the symlinks of the layer")
		}
		real, rn, ok := fs.Resolve(f.Path)
		if !ok {
			if f.Mode != "" || f.Owner != "" || len(f.Contains)+len(f.Excludes) > 0 {
				add(f.Path, fmt.Sprintf("is a dangling symlink (to %q)", n.Target), "fix the link target")
			}
			continue
		}
		if f.Mode != "" {
			want, _ := strconv.ParseInt(f.Mode, 8, 64)
			if rn.Mode != want {
				add(f.Path, fmt.Sprintf("must have mode %04o, has %04o", want, rn.Mode), fmt.Sprintf("set modes = {%q: \"%04o\"} on its image_layer", real, want))
			}
		}
		if f.Owner != "" {
			if got := fmt.Sprintf("%d:%d", rn.UID, rn.GID); got != f.Owner {
				add(f.Path, fmt.Sprintf("must be owned by %s, is owned by %s", f.Owner, got), fmt.Sprintf("set owners = {%q: %q} on its image_layer", real, f.Owner))
			}
		}
		if len(f.Contains)+len(f.Excludes) == 0 {
			continue
		}
		if rn.Kind != File {
			add(f.Path, fmt.Sprintf("has content assertions but is a %s", rn.Kind), "assert contents of regular files only")
			continue
		}
		if !rn.Data.Kept {
			add(f.Path, fmt.Sprintf("resolves to %s, whose content was not read", real), fmt.Sprintf("assert on %q instead", real))
			continue
		}
		for _, re := range f.Contains {
			if !regexp.MustCompile(re).Match(rn.Data.Content) {
				add(f.Path, fmt.Sprintf("content does not match %q", re), "fix the file, or the expression")
			}
		}
		for _, re := range f.Excludes {
			if loc := regexp.MustCompile(re).FindIndex(rn.Data.Content); loc != nil {
				add(f.Path, fmt.Sprintf("content matches %q (%q), which it must not", re, excerpt(rn.Data.Content[loc[0]:loc[1]])), "fix the file, or the expression")
			}
		}
	}
	out = append(out, s.Config.evaluate(cfg)...)
	return out
}

func linkTo(n *Node) string {
	if n.Kind == Symlink {
		return " to " + strconv.Quote(n.Target)
	}
	return ""
}

func excerpt(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}

func (a ConfigAssertion) evaluate(cfg *v1.ConfigFile) []Finding {
	var out []Finding
	add := func(field, problem, fix string) {
		out = append(out, Finding{Rule: RuleSpec, Path: "config." + field, Problem: problem, Fix: fix})
	}
	env := map[string]string{}
	for _, kv := range cfg.Config.Env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for _, k := range slices.Sorted(mapsKeys(a.Env)) {
		got, ok := env[k]
		switch {
		case !ok:
			add("Env", fmt.Sprintf("%s must be %q, but is not set", k, a.Env[k]), fmt.Sprintf("set env = {%q: %q} on the image", k, a.Env[k]))
		case got != a.Env[k]:
			add("Env", fmt.Sprintf("%s must be %q, is %q", k, a.Env[k], got), fmt.Sprintf("set env = {%q: %q} on the image", k, a.Env[k]))
		}
	}
	for _, k := range a.Unset {
		if v, ok := env[k]; ok {
			add("Env", fmt.Sprintf("%s must not be set, is %q", k, v), "remove it from the image's env (and its base's)")
		}
	}
	str := func(field string, want *string, got, attr string) {
		if want != nil && *want != got {
			add(field, fmt.Sprintf("must be %q, is %q", *want, got), fmt.Sprintf("set %s = %q on the image", attr, *want))
		}
	}
	str("User", a.User, cfg.Config.User, "user")
	str("WorkingDir", a.Workdir, cfg.Config.WorkingDir, "workdir")
	list := func(field string, want *[]string, got []string, attr string) {
		if want != nil && !slices.Equal(*want, got) && !(len(*want) == 0 && len(got) == 0) {
			add(field, fmt.Sprintf("must be %q, is %q", *want, got), fmt.Sprintf("set %s = %q on the image", attr, *want))
		}
	}
	list("Entrypoint", a.Entrypoint, cfg.Config.Entrypoint, "entrypoint")
	list("Cmd", a.Cmd, cfg.Config.Cmd, "cmd")
	if a.ExposedPorts != nil {
		var want, got []string
		for _, p := range *a.ExposedPorts {
			if !strings.Contains(p, "/") {
				p += "/tcp"
			}
			want = append(want, p)
		}
		for p := range cfg.Config.ExposedPorts {
			got = append(got, p)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			add("ExposedPorts", fmt.Sprintf("must be %q, is %q", want, got), fmt.Sprintf("set exposed_ports = %q on the image", want))
		}
	}
	for _, k := range slices.Sorted(mapsKeys(a.Labels)) {
		got, ok := cfg.Config.Labels[k]
		if !ok || got != a.Labels[k] {
			add("Labels", fmt.Sprintf("%s must be %q, is %q", k, a.Labels[k], got), fmt.Sprintf("set labels = {%q: %q} on the image", k, a.Labels[k]))
		}
	}
	return out
}

// Count returns the number of assertions in s.
func (s *Spec) Count() int {
	n := len(s.Files) + len(s.Config.Env) + len(s.Config.Unset) + len(s.Config.Labels)
	for _, set := range []bool{s.Config.User != nil, s.Config.Workdir != nil, s.Config.Entrypoint != nil, s.Config.Cmd != nil, s.Config.ExposedPorts != nil} {
		if set {
			n++
		}
	}
	return n
}
