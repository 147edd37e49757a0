package policy

import (
	"bytes"
	"debug/elf"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// The rules of the hardening policy, by id. Each can be waived.
const (
	RuleShell          = "shell"
	RulePackageManager = "package-manager"
	RuleBusybox        = "busybox"
	RuleUser           = "user"
	RuleSetuid         = "setuid"
	RuleWorldWritable  = "world-writable"
	RuleEntrypoint     = "entrypoint"
	RuleLibraries      = "libraries"
)

// Rules are the policy's rules, in the order they are checked.
var Rules = []string{RuleShell, RulePackageManager, RuleBusybox, RuleUser, RuleSetuid, RuleWorldWritable, RuleEntrypoint, RuleLibraries}

// Ids of findings that are not policy rules and cannot be waived.
const (
	// RuleStaleWaiver: a waiver that matches no finding.
	RuleStaleWaiver = "stale-waiver"
	// RuleSpec: a structure assertion of the spec that does not hold.
	RuleSpec = "spec"
)

// SharedTempDirs are the directories the FHS makes shared and writable by
// every user: the world-writable rule accepts them with the sticky bit
// (mode 1777), as Debian's base-files and distroless ship them.
var SharedTempDirs = []string{"/tmp", "/var/tmp", "/var/lock", "/run/lock"}

// DefaultPath is the PATH the checks use when the image's Env sets none.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Finding is one thing wrong with an image.
type Finding struct {
	// Rule is the rule's id, e.g. "shell".
	Rule string
	// Path is the file in the image, or "config.<Field>" for the config.
	Path string
	// Problem says what is wrong.
	Problem string
	// Fix says how to fix it.
	Fix string
}

// String returns the finding as one line: "RULE PATH: PROBLEM; fix: FIX".
func (f Finding) String() string {
	return fmt.Sprintf("%s %s: %s; fix: %s", f.Rule, f.Path, f.Problem, f.Fix)
}

// Waived is a finding that a waiver accepts.
type Waived struct {
	Finding
	// Waiver is the waiver's key ("rule" or "rule:/glob") and Reason its reason.
	Waiver, Reason string
}

// String returns the waived finding as one line.
func (w Waived) String() string {
	return fmt.Sprintf("waived %s %s: %s (waiver %q: %s)", w.Rule, w.Path, w.Problem, w.Waiver, w.Reason)
}

// Options are what the policy requires of one image.
type Options struct {
	// Nonroot requires a numeric, non-zero user in the config.
	Nonroot bool
	// Waivers accept findings: the key is a rule id ("shell": every finding
	// of the rule) or "RULE:GLOB" (the findings whose path matches the
	// path.Match pattern GLOB, e.g. "setuid:/usr/bin/*"); the value is the
	// reason, printed with each finding it accepts. A waiver that accepts
	// nothing is itself a finding (RuleStaleWaiver): a waiver must not
	// outlive its reason and silently let the problem back in later.
	Waivers map[string]string
}

// Report is the result of Check.
type Report struct {
	// Findings fail the image, sorted by rule order then path.
	Findings []Finding
	// Waived are the findings that waivers accepted.
	Waived []Waived
}

// CheckWaivers returns an error for a waiver whose rule is unknown or whose
// glob is malformed, or whose reason is empty.
func CheckWaivers(waivers map[string]string) error {
	for _, key := range slices.Sorted(mapsKeys(waivers)) {
		rule, glob, hasGlob := strings.Cut(key, ":")
		if !slices.Contains(Rules, rule) {
			return fmt.Errorf("waiver %q: unknown rule %q; the rules are %s", key, rule, strings.Join(Rules, ", "))
		}
		if hasGlob {
			if _, err := path.Match(glob, "/"); err != nil || !strings.HasPrefix(glob, "/") {
				return fmt.Errorf("waiver %q: %q is not an absolute path pattern such as \"/usr/bin/*\"", key, glob)
			}
		}
		if strings.TrimSpace(waivers[key]) == "" {
			return fmt.Errorf("waiver %q has no reason; say why the image needs it, e.g. \"debug variant: busybox sh is the point\"", key)
		}
	}
	return nil
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// Check applies the hardening policy to the image with filesystem fs and
// config cfg.
func Check(fs *FS, cfg *v1.ConfigFile, opts Options) (Report, error) {
	if err := CheckWaivers(opts.Waivers); err != nil {
		return Report{}, err
	}
	c := &checker{fs: fs, cfg: cfg, opts: opts}
	c.init()
	c.programs()
	if opts.Nonroot {
		c.user()
	}
	c.modes()
	c.entrypoint()
	c.libraries()
	return applyWaivers(c.findings, opts.Waivers), nil
}

func applyWaivers(findings []Finding, waivers map[string]string) Report {
	order := map[string]int{}
	for i, r := range Rules {
		order[r] = i
	}
	slices.SortStableFunc(findings, func(a, b Finding) int {
		if c := order[a.Rule] - order[b.Rule]; c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})
	keys := slices.Sorted(mapsKeys(waivers))
	used := map[string]bool{}
	var r Report
	for _, f := range findings {
		key, ok := waiverFor(keys, f)
		if !ok {
			r.Findings = append(r.Findings, f)
			continue
		}
		used[key] = true
		r.Waived = append(r.Waived, Waived{Finding: f, Waiver: key, Reason: waivers[key]})
	}
	for _, key := range keys {
		if !used[key] {
			r.Findings = append(r.Findings, Finding{
				Rule:    RuleStaleWaiver,
				Path:    key,
				Problem: fmt.Sprintf("the waiver (%q) accepts no finding: the image no longer has what it excuses", waivers[key]),
				Fix:     fmt.Sprintf("remove %q from waive", key),
			})
		}
	}
	return r
}

// waiverFor returns the waiver that accepts f: a RULE:GLOB one before the
// rule-wide one.
func waiverFor(keys []string, f Finding) (string, bool) {
	for _, k := range keys {
		if rule, glob, ok := strings.Cut(k, ":"); ok && rule == f.Rule {
			if m, _ := path.Match(glob, f.Path); m {
				return k, true
			}
		}
	}
	if slices.Contains(keys, f.Rule) {
		return f.Rule, true
	}
	return "", false
}

type checker struct {
	fs       *FS
	cfg      *v1.ConfigFile
	opts     Options
	findings []Finding
	env      map[string]string
	pathDirs []string // the image's PATH, absolute directories
}

func (c *checker) add(rule, p, problem, fix string) {
	c.findings = append(c.findings, Finding{Rule: rule, Path: p, Problem: problem, Fix: fix})
}

func (c *checker) init() {
	c.env = map[string]string{}
	for _, kv := range c.cfg.Config.Env {
		k, v, _ := strings.Cut(kv, "=")
		c.env[k] = v
	}
	p, ok := c.env["PATH"]
	if !ok {
		p = DefaultPath
	}
	for _, d := range strings.Split(p, ":") {
		if strings.HasPrefix(d, "/") {
			c.pathDirs = append(c.pathDirs, path.Clean(d))
		}
	}
}

var shells = []string{"sh", "bash", "rbash", "dash", "ash", "zsh", "ksh", "ksh93", "mksh", "csh", "tcsh", "fish"}

// isPackageManager tells the names of package managers and their tools.
func isPackageManager(name string) bool {
	switch name {
	case "apt", "aptitude", "dpkg", "rpm", "yum", "dnf", "microdnf", "apk", "zypper", "pacman":
		return true
	}
	return strings.HasPrefix(name, "apt-") || strings.HasPrefix(name, "dpkg-")
}

// programs finds shells, package managers and busybox: executables (or
// links to executables) named like them, shells anywhere, package managers
// in the standard bin directories and the image's PATH.
func (c *checker) programs() {
	binDirs := map[string]bool{}
	for _, d := range append(strings.Split(DefaultPath, ":"), c.pathDirs...) {
		if real, n, ok := c.fs.Resolve(d); ok && n.Kind == Dir {
			binDirs[real] = true
		}
	}
	c.fs.Walk(func(p string, n *Node) {
		if n.Kind != File && n.Kind != Symlink {
			return
		}
		name := path.Base(p)
		shell, pm, bb := slices.Contains(shells, name), isPackageManager(name) && binDirs[path.Dir(p)], name == "busybox"
		if !shell && !pm && !bb {
			return
		}
		real, rn, ok := c.fs.Resolve(p)
		if !ok || rn.Kind != File || rn.Mode&0o111 == 0 {
			return // a dangling link or a file nobody can run
		}
		what := ""
		if real != p {
			what = " (→ " + real + ")"
		}
		switch {
		case shell:
			c.add(RuleShell, p, "a shell"+what+": whoever gets into the container has a command line, and shell-form commands start to work",
				"remove it from the image (debug with the _debug variant or an ephemeral container), or waive \"shell\" with a reason")
		case pm:
			c.add(RulePackageManager, p, "a package manager"+what+": it can install anything into a running container",
				"leave the package out (deb layers exclude dpkg and apt by default), or waive \"package-manager\" with a reason")
		case bb:
			c.add(RuleBusybox, p, "busybox"+what+": a shell and some 300 tools in one binary",
				"use busybox only in _debug variants, or waive \"busybox\" with a reason")
		}
	})
}

// user requires a numeric, non-zero uid.
func (c *checker) user() {
	u := c.cfg.Config.User
	uid, gid, hasGid := strings.Cut(u, ":")
	const fix = "set user = \"65532\" (distroless nonroot) on the image, or nonroot = False on the test if it must run as root"
	switch {
	case u == "":
		c.add(RuleUser, "config.User", "empty: the container runs as root", fix)
	case !isNumber(uid):
		c.add(RuleUser, "config.User", fmt.Sprintf("%q is a name: Kubernetes' runAsNonRoot cannot verify a name", u), "use the numeric uid; "+fix)
	case mustAtoi(uid) == 0:
		c.add(RuleUser, "config.User", fmt.Sprintf("%q is root (uid 0)", u), fix)
	case hasGid && !isNumber(gid):
		c.add(RuleUser, "config.User", fmt.Sprintf("%q has a group name: give the numeric gid", u), "write \"UID:GID\" with numbers, e.g. \"65532:65532\"")
	}
}

func isNumber(s string) bool {
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// modes finds setuid/setgid files and world-writable paths.
func (c *checker) modes() {
	c.fs.Walk(func(p string, n *Node) {
		if n.Kind == Symlink {
			return
		}
		if n.Kind != Dir && n.Mode&0o6000 != 0 {
			bits := map[int64]string{0o4000: "setuid", 0o2000: "setgid", 0o6000: "setuid and setgid"}[n.Mode&0o6000]
			c.add(RuleSetuid, p, fmt.Sprintf("mode %04o is %s: running it gains its owner's (%d:%d) rights", n.Mode, bits, n.UID, n.GID),
				fmt.Sprintf("give it mode %04o (modes = {%q: \"%04o\"} on its image_layer), or leave it out", n.Mode&0o777, p, n.Mode&0o777))
		}
		if n.Mode&0o002 != 0 && !(slices.Contains(SharedTempDirs, p) && n.Kind == Dir && n.Mode&0o1000 != 0) {
			want := n.Mode &^ 0o022
			c.add(RuleWorldWritable, p, fmt.Sprintf("%s mode %04o is writable by every user", n.Kind, n.Mode),
				fmt.Sprintf("give it mode %04o (modes = {%q: \"%04o\"}); only the shared temporary directories (%s) may be world-writable, with the sticky bit (1777)", want, p, want, strings.Join(SharedTempDirs, ", ")))
		}
	})
}

// command returns the image's command: Entrypoint, else Cmd.
func (c *checker) command() ([]string, string) {
	if len(c.cfg.Config.Entrypoint) > 0 {
		return c.cfg.Config.Entrypoint, "config.Entrypoint"
	}
	return c.cfg.Config.Cmd, "config.Cmd"
}

// entrypoint checks the command the image runs. An image with neither
// Entrypoint nor Cmd passes: it is a base for others, and the images built
// on it are checked with their own.
func (c *checker) entrypoint() {
	args, field := c.command()
	if len(args) == 0 {
		return
	}
	exe := args[0]
	if len(args) == 1 && strings.ContainsAny(exe, " \t") {
		if _, _, ok := c.fs.Resolve(c.abs(exe)); !ok {
			c.add(RuleEntrypoint, field, fmt.Sprintf("%q is a shell-form command in one string: there is no shell to split it", exe),
				fmt.Sprintf("write it in exec form, one argument per element: %q", strings.Fields(exe)))
			return
		}
	}
	if slices.Contains(shells, path.Base(exe)) && slices.Contains(args[1:], "-c") {
		c.add(RuleEntrypoint, field, fmt.Sprintf("%q runs the command through a shell (shell form)", args),
			"run the program directly in exec form, e.g. [\"/app/server\", \"--port\", \"8080\"]")
	}
	p, ok := c.findExecutable(exe)
	if !ok {
		c.add(RuleEntrypoint, field, fmt.Sprintf("the executable %q is not in the image", exe)+c.searched(exe),
			"add the program to a layer at that path, or fix the entrypoint")
		return
	}
	real, n, _ := c.fs.Resolve(p)
	if n.Kind != File {
		c.add(RuleEntrypoint, field, fmt.Sprintf("the executable %q (%s) is a %s, not a file", exe, real, n.Kind), "point the entrypoint at the program itself")
		return
	}
	if !c.canExec(n) {
		c.add(RuleEntrypoint, field, fmt.Sprintf("%q (%s, mode %04o, owner %d:%d) is not executable by user %q", exe, real, n.Mode, n.UID, n.GID, c.cfg.Config.User),
			fmt.Sprintf("give it an executable mode, e.g. modes = {%q: \"0755\"}", real))
		return
	}
	if n.Data.ELF != nil && !n.Data.ELF.Invalid {
		if want, ok := archMachine[c.cfg.Architecture]; ok && n.Data.ELF.Machine != want {
			c.add(RuleEntrypoint, field, fmt.Sprintf("%q (%s) is a %s program in a %s image", exe, real, n.Data.ELF.Machine, c.cfg.Architecture),
				"build the program for the image's architecture")
		}
		return
	}
	if interp, ok := bytes.CutPrefix(n.Data.Head, []byte("#!")); ok {
		line, _, _ := bytes.Cut(interp, []byte("\n"))
		fields := strings.Fields(string(line))
		if len(fields) == 0 {
			c.add(RuleEntrypoint, field, fmt.Sprintf("%q (%s) starts with \"#!\" but names no interpreter", exe, real), "write the interpreter's path after #!")
			return
		}
		_, in, ok := c.fs.Resolve(fields[0])
		if !ok || in.Kind != File || !c.canExec(in) {
			c.add(RuleEntrypoint, field, fmt.Sprintf("the script %q (%s) needs the interpreter %q, which the image does not have", exe, real, fields[0]),
				"make the entrypoint the interpreter itself with the script as argument, e.g. [\"/usr/bin/python3\", \"/app/main.py\"], or add the interpreter")
		}
	}
}

// archMachine is the ELF machine of each OCI architecture.
var archMachine = map[string]elf.Machine{
	"amd64":   elf.EM_X86_64,
	"arm64":   elf.EM_AARCH64,
	"386":     elf.EM_386,
	"arm":     elf.EM_ARM,
	"ppc64le": elf.EM_PPC64,
	"s390x":   elf.EM_S390,
	"riscv64": elf.EM_RISCV,
}

// abs makes a relative path absolute against the image's working directory.
func (c *checker) abs(p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	wd := c.cfg.Config.WorkingDir
	if wd == "" {
		wd = "/"
	}
	return path.Join(wd, p)
}

// findExecutable finds exe as the runtime does: a name without "/" in the
// image's PATH, anything else relative to the working directory.
func (c *checker) findExecutable(exe string) (string, bool) {
	if strings.Contains(exe, "/") {
		p := c.abs(exe)
		_, _, ok := c.fs.Resolve(p)
		return p, ok
	}
	for _, d := range c.pathDirs {
		p := path.Join(d, exe)
		if _, n, ok := c.fs.Resolve(p); ok && n.Kind == File && c.canExec(n) {
			return p, true
		}
	}
	return "", false
}

func (c *checker) searched(exe string) string {
	if strings.Contains(exe, "/") {
		return ""
	}
	return " (searched the PATH: " + strings.Join(c.pathDirs, ":") + ")"
}

// canExec tells whether the config's user may execute n: root needs any x
// bit; others the bit of the class they fall in (owner, group, other). A
// user name or a group from /etc/passwd is looked up in the image.
func (c *checker) canExec(n *Node) bool {
	if n.Mode&0o111 == 0 {
		return false
	}
	uid, gid, ok := c.ids()
	switch {
	case !ok:
		return true // unknown user: the user rule reports names when it matters
	case uid == 0:
		return true
	case uid == n.UID:
		return n.Mode&0o100 != 0
	case gid == n.GID:
		return n.Mode&0o010 != 0
	}
	return n.Mode&0o001 != 0
}

// ids returns the config user's uid and primary gid.
func (c *checker) ids() (uid, gid int, ok bool) {
	u := c.cfg.Config.User
	if u == "" {
		return 0, 0, true
	}
	user, group, hasGroup := strings.Cut(u, ":")
	passwd := c.passwd()
	entry, named := passwd[user]
	switch {
	case isNumber(user):
		uid = mustAtoi(user)
		gid = uid
		for _, e := range passwd {
			if e[0] == uid {
				gid = e[1]
			}
		}
	case named:
		uid, gid = entry[0], entry[1]
	default:
		return 0, 0, false
	}
	if hasGroup {
		if !isNumber(group) {
			return 0, 0, false
		}
		gid = mustAtoi(group)
	}
	return uid, gid, true
}

// passwd reads /etc/passwd of the image: name → uid, gid.
func (c *checker) passwd() map[string][2]int {
	m := map[string][2]int{}
	_, n, ok := c.fs.Resolve("/etc/passwd")
	if !ok || !n.Data.Kept {
		return m
	}
	for _, line := range strings.Split(string(n.Data.Content), "\n") {
		f := strings.Split(line, ":")
		if len(f) >= 4 && isNumber(f[2]) && isNumber(f[3]) {
			m[f[0]] = [2]int{mustAtoi(f[2]), mustAtoi(f[3])}
		}
	}
	return m
}
