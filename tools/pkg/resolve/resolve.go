package resolve

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"pault.ag/go/debian/control"
	"pault.ag/go/debian/dependency"
	"pault.ag/go/debian/version"
)

// Candidate is one binary package of an archive's Packages index, with the
// archive, suite and component it was listed in. It has the shape of
// apt.Candidate, so an apt.Candidate converts to it.
type Candidate struct {
	control.BinaryIndex
	Archive, Suite, Component string
}

// Origin names one suite of one archive.
type Origin struct {
	Archive, Suite string
}

func (o Origin) String() string { return o.Archive + "/" + o.Suite }

// Input is what Resolve works on: one architecture's candidates and the
// requested names.
type Input struct {
	// Architecture is the architecture to lock, e.g. amd64. Candidates of
	// other architectures than it and "all" are ignored.
	Architecture string
	// Candidates are the packages of every index of Architecture, in any
	// order.
	Candidates []Candidate
	// Requests are the package names to install; an excluded name given
	// here is installed anyway.
	Requests []string
	// Exclude are names that dependencies never pull in: a dependency on
	// one of them, or on a virtual package only they provide, counts as
	// satisfied.
	Exclude []string
	// Origins ranks the suites for equal versions: the one listed first
	// wins; unlisted origins come after, by name.
	Origins []Origin
}

// Package is one package of the closure.
type Package struct {
	// Candidate is the chosen index entry (a pointer into Input.Candidates).
	Candidate *Candidate
	// Depends are the names of the closure's packages that satisfy this
	// package's Depends and Pre-Depends, sorted and unique.
	Depends []string
	// Excluded are the names of the dependencies pruned by exclusion,
	// sorted and unique.
	Excluded []string
}

// Name returns the package name.
func (p Package) Name() string { return p.Candidate.Package }

// Resolve returns the closure of in.Requests, sorted by name.
//
// Every name gets one candidate: the first relation that reaches a name
// picks its newest candidate that satisfies the relation (for equal
// versions, the earlier origin), and every later relation on that name
// must accept the choice. Alternatives take the first possibility already
// in the closure (or excluded), else the first one that has a candidate;
// relations with a choice (alternatives and virtual packages) are decided
// after every plain relation reached so far, so that a choice prefers what
// plain relations pull in anyway. Recommends, Suggests and Enhances are
// never followed. The result depends only on the inputs as sets (plus the
// order of Origins), never on the order of Candidates.
//
// An unsatisfiable relation is an error naming the chain from the request:
// "amd64: python3.11 → libexpat1 (>= 2.5): no candidate".
func Resolve(in Input) ([]Package, error) {
	r, err := newResolver(in)
	if err != nil {
		return nil, err
	}
	if err := r.run(in.Requests); err != nil {
		return nil, fmt.Errorf("%s: %w", in.Architecture, err)
	}
	return r.result()
}

// cand is a candidate with what the resolver derives from it.
type cand struct {
	*Candidate
	arch string // the candidate's architecture: Input.Architecture or "all"
	rank int    // index of its origin in Input.Origins
	prio int    // rank of its Priority field; lower is more important
	// provides are the virtual packages it provides.
	provides []provide
	// relations are its Pre-Depends then Depends, parsed on first use.
	relations []relation
	parsed    bool
}

type provide struct {
	name    string
	version *version.Version // nil when unversioned
}

// relation is one comma-separated element of Depends or Pre-Depends,
// restricted to the possibilities that apply to the architecture.
type relation struct {
	poss []possibility
}

type possibility struct {
	name string
	// arch is the ":arch" qualifier: "" (none), "any", "native" or a name.
	arch string
	op   string // "" when unversioned
	ver  version.Version
	text string // as written, e.g. "libexpat1 (>= 2.5)"
}

func (rel relation) String() string {
	var parts []string
	for _, p := range rel.poss {
		parts = append(parts, p.text)
	}
	return strings.Join(parts, " | ")
}

type resolver struct {
	arch     dependency.Arch
	archName string
	byName   map[string][]*cand // candidates of a name, preferred first
	provider map[string][]*cand // candidates providing a name, preferred first
	exclude  map[string]bool
	// excludedVirtual memoizes virtualExcluded.
	excludedVirtual map[string]bool

	chosen   map[string]*cand
	parent   map[string]string // who pulled a package in ("" for a request)
	queue    []*cand
	deferred []pending
}

// pending is a relation with a choice, decided later.
type pending struct {
	from *cand
	rel  relation
}

var priorities = map[string]int{"required": 0, "important": 1, "standard": 2, "optional": 3, "extra": 4}

func newResolver(in Input) (*resolver, error) {
	arch, err := dependency.ParseArch(in.Architecture)
	if err != nil || in.Architecture == "" || in.Architecture == "all" || arch.IsWildcard() {
		return nil, fmt.Errorf("resolving for architecture %q: not a machine architecture", in.Architecture)
	}
	r := &resolver{
		arch:            *arch,
		archName:        in.Architecture,
		byName:          map[string][]*cand{},
		provider:        map[string][]*cand{},
		exclude:         map[string]bool{},
		excludedVirtual: map[string]bool{},
		chosen:          map[string]*cand{},
		parent:          map[string]string{},
	}
	for _, name := range in.Exclude {
		r.exclude[name] = true
	}
	rank := map[Origin]int{}
	for i, o := range in.Origins {
		if _, ok := rank[o]; !ok {
			rank[o] = i
		}
	}
	// Arch.String scans a table: name each architecture once.
	archNames := map[dependency.Arch]string{}
	for i := range in.Candidates {
		c := &in.Candidates[i]
		a, ok := archNames[c.Architecture]
		if !ok && strings.Contains(c.Architecture.CPU, "-") {
			return nil, fmt.Errorf("%s: %s %s in %s/%s: Architecture %q is not an architecture name", in.Architecture, c.Package, c.Version, c.Archive, c.Suite, c.Values["Architecture"])
		}
		if !ok {
			a = c.Architecture.String()
			archNames[c.Architecture] = a
		}
		if a != in.Architecture && a != "all" {
			continue
		}
		cd := &cand{Candidate: c, arch: a, rank: len(in.Origins), prio: len(priorities)}
		if n, ok := rank[Origin{c.Archive, c.Suite}]; ok {
			cd.rank = n
		}
		if n, ok := priorities[c.Priority]; ok {
			cd.prio = n
		}
		if cd.provides, err = parseProvides(c.Values["Provides"]); err != nil {
			return nil, fmt.Errorf("%s: %s %s in %s/%s: Provides: %w", in.Architecture, c.Package, c.Version, c.Archive, c.Suite, err)
		}
		r.byName[c.Package] = append(r.byName[c.Package], cd)
		for _, p := range cd.provides {
			r.provider[p.name] = append(r.provider[p.name], cd)
		}
	}
	for _, cs := range r.byName {
		slices.SortFunc(cs, prefer)
	}
	for name, cs := range r.provider {
		slices.SortFunc(cs, func(a, b *cand) int {
			return cmp.Or(cmp.Compare(a.prio, b.prio), cmp.Compare(a.Package, b.Package), prefer(a, b))
		})
		// A package may provide a name twice (with two versions); keep one entry.
		r.provider[name] = slices.Compact(cs)
	}
	return r, nil
}

// prefer orders the candidates of one name: newest version first, then the
// earlier origin, then fixed tie-breakers so that the order never depends
// on the input order.
func prefer(a, b *cand) int {
	return cmp.Or(
		-version.Compare(a.Version, b.Version),
		cmp.Compare(a.rank, b.rank),
		cmp.Compare(a.Archive, b.Archive),
		cmp.Compare(a.Suite, b.Suite),
		cmp.Compare(a.Component, b.Component),
		cmp.Compare(a.arch, b.arch),
		cmp.Compare(a.Filename, b.Filename),
		cmp.Compare(a.SHA256, b.SHA256),
		cmp.Compare(a.Package, b.Package),
	)
}

func parseProvides(field string) ([]provide, error) {
	field = strings.Join(strings.Fields(field), " ")
	if field == "" {
		return nil, nil
	}
	dep, err := dependency.Parse(field)
	if err != nil {
		return nil, err
	}
	var out []provide
	for _, rel := range dep.Relations {
		for _, p := range rel.Possibilities {
			pr := provide{name: p.Name}
			if p.Version != nil {
				if p.Version.Operator != "=" {
					return nil, fmt.Errorf("%s: a provided version must use =", p.Name)
				}
				v, err := version.Parse(p.Version.Number)
				if err != nil {
					return nil, fmt.Errorf("%s: version %q: %w", p.Name, p.Version.Number, err)
				}
				pr.version = &v
			}
			out = append(out, pr)
		}
	}
	return out, nil
}

// parseRelations parses the Pre-Depends and Depends of c once.
func (r *resolver) parseRelations(c *cand) error {
	if c.parsed {
		return nil
	}
	c.parsed = true
	for _, field := range []string{"Pre-Depends", "Depends"} {
		value := strings.Join(strings.Fields(c.Values[field]), " ")
		if value == "" {
			continue
		}
		dep, err := dependency.Parse(value)
		if err != nil {
			return fmt.Errorf("%s %q: %w", field, value, err)
		}
		for _, rel := range dep.Relations {
			var out relation
			for _, p := range rel.Possibilities {
				if p.Substvar {
					continue
				}
				// An architecture restriction that excludes us removes the possibility.
				if p.Architectures != nil && len(p.Architectures.Architectures) > 0 && !p.Architectures.Matches(&r.arch) {
					continue
				}
				poss, err := newPossibility(p)
				if err != nil {
					return fmt.Errorf("%s: %w", field, err)
				}
				out.poss = append(out.poss, poss)
			}
			if len(out.poss) > 0 {
				c.relations = append(c.relations, out)
			}
		}
	}
	return nil
}

func newPossibility(p dependency.Possibility) (possibility, error) {
	out := possibility{name: p.Name, text: p.Name}
	if p.Arch != nil {
		if strings.Contains(p.Arch.CPU, "-") {
			// Arch.String of pault.ag/go/debian panics on these.
			return possibility{}, fmt.Errorf("%s: architecture qualifier %q is not an architecture name", p.Name, p.Arch.CPU)
		}
		out.arch = p.Arch.String()
		out.text += ":" + out.arch
	}
	if p.Version != nil {
		v, err := version.Parse(p.Version.Number)
		if err != nil {
			return possibility{}, fmt.Errorf("%s: version %q: %w", p.Name, p.Version.Number, err)
		}
		out.op, out.ver = p.Version.Operator, v
		out.text += " " + p.Version.String()
	}
	return out, nil
}

// matches reports whether v satisfies the possibility's version relation.
func (p possibility) matches(v version.Version) bool {
	if p.op == "" {
		return true
	}
	c := version.Compare(v, p.ver)
	switch p.op {
	case "<<":
		return c < 0
	case "<=":
		return c <= 0
	case "=":
		return c == 0
	case ">=":
		return c >= 0
	case ">>":
		return c > 0
	}
	return false
}

// archOK reports whether c may satisfy p's architecture qualifier. We lock
// one architecture at a time, so ":any" and ":native" are satisfied by any
// candidate (of the locked architecture or "all"), and a qualifier naming
// another architecture by none.
func (r *resolver) archOK(p possibility, c *cand) bool {
	switch p.arch {
	case "", "any", "native", r.archName:
		return true
	}
	return false
}

// realOK reports whether c, a candidate named p.name, satisfies p.
func (r *resolver) realOK(p possibility, c *cand) bool {
	return r.archOK(p, c) && p.matches(c.Version)
}

// provideOK reports whether c satisfies p by a Provides entry.
func (r *resolver) provideOK(p possibility, c *cand) bool {
	if !r.archOK(p, c) {
		return false
	}
	for _, pr := range c.provides {
		if pr.name != p.name {
			continue
		}
		// An unversioned provide satisfies only unversioned relations.
		if p.op == "" || (pr.version != nil && p.matches(*pr.version)) {
			return true
		}
	}
	return false
}

// inClosure returns the chosen package that satisfies p, if any.
func (r *resolver) inClosure(p possibility) *cand {
	if c := r.chosen[p.name]; c != nil && r.realOK(p, c) {
		return c
	}
	for _, c := range r.provider[p.name] {
		if r.chosen[c.Package] == c && r.provideOK(p, c) {
			return c
		}
	}
	return nil
}

// excluded reports whether a dependency on name counts as satisfied by
// exclusion: the name is excluded, or it is a virtual package whose every
// provider is excluded.
func (r *resolver) excluded(name string) bool {
	if r.exclude[name] {
		return true
	}
	if len(r.byName[name]) > 0 || len(r.provider[name]) == 0 {
		return false
	}
	if v, ok := r.excludedVirtual[name]; ok {
		return v
	}
	all := true
	for _, c := range r.provider[name] {
		all = all && r.exclude[c.Package]
	}
	r.excludedVirtual[name] = all
	return all
}

// satisfied returns how the relation is satisfied now: by the first
// possibility that a package of the closure satisfies (c), else by the
// first excluded possibility (excl).
func (r *resolver) satisfied(rel relation) (c *cand, excl string, ok bool) {
	for _, p := range rel.poss {
		if c := r.inClosure(p); c != nil {
			return c, "", true
		}
	}
	for _, p := range rel.poss {
		if r.excluded(p.name) {
			return nil, p.name, true
		}
	}
	return nil, "", false
}

// pick returns the candidate to add for p, or why there is none. Excluded
// providers are skipped unless request is set.
func (r *resolver) pick(p possibility, request bool) (*cand, string) {
	var why []string
	if chosen := r.chosen[p.name]; chosen != nil {
		why = append(why, fmt.Sprintf("%s from %s/%s is already in the closure", chosen.Version, chosen.Archive, chosen.Suite))
	} else if cs := r.byName[p.name]; len(cs) > 0 {
		for _, c := range cs {
			if r.realOK(p, c) {
				return c, ""
			}
		}
		if !r.archOK(p, cs[0]) {
			why = append(why, fmt.Sprintf("architecture %s is not locked here", p.arch))
		} else {
			why = append(why, "only "+versions(cs))
		}
	}
	var skipped []string
	for _, c := range r.provider[p.name] {
		if r.chosen[c.Package] != nil || (!request && r.exclude[c.Package]) {
			// A chosen provider that satisfies p was found by inClosure.
			continue
		}
		if r.provideOK(p, c) {
			return c, ""
		}
		skipped = append(skipped, c.Package)
	}
	if len(skipped) > 0 {
		why = append(why, "provided by "+strings.Join(slices.Compact(skipped), ", ")+" without a matching version")
	}
	if len(why) == 0 {
		return nil, "no candidate"
	}
	return nil, strings.Join(why, "; ")
}

// versions lists the versions of cs with their origins:
// "2.4.1-1 in debian/bookworm, 2.4.1-2 in debian/bookworm-updates".
func versions(cs []*cand) string {
	var out []string
	for _, c := range cs {
		s := fmt.Sprintf("%s in %s/%s", c.Version, c.Archive, c.Suite)
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return strings.Join(out, ", ")
}

// add puts c into the closure; from is the package whose relation pulled it
// in, nil for a request.
func (r *resolver) add(c *cand, from *cand) {
	r.chosen[c.Package] = c
	if from != nil {
		r.parent[c.Package] = from.Package
	} else {
		r.parent[c.Package] = ""
	}
	r.queue = append(r.queue, c)
}

// chain returns "request → ... → name".
func (r *resolver) chain(name string) string {
	names := []string{name}
	for seen := map[string]bool{name: true}; ; {
		p := r.parent[name]
		if p == "" || seen[p] {
			break
		}
		seen[p] = true
		names = append(names, p)
		name = p
	}
	slices.Reverse(names)
	return strings.Join(names, " → ")
}

// choice reports whether rel is decided later: it has alternatives or names
// a purely virtual package.
func (r *resolver) choice(rel relation) bool {
	return len(rel.poss) > 1 || len(r.byName[rel.poss[0].name]) == 0
}

func (r *resolver) run(requests []string) error {
	requests = slices.Clone(requests)
	slices.Sort(requests)
	for _, name := range slices.Compact(requests) {
		if r.chosen[name] != nil {
			continue
		}
		c, why := r.pick(possibility{name: name, text: name}, true)
		if c == nil {
			return fmt.Errorf("%s: %s", name, why)
		}
		r.add(c, nil)
	}
	for {
		for len(r.queue) > 0 {
			c := r.queue[0]
			r.queue = r.queue[1:]
			if err := r.parseRelations(c); err != nil {
				return fmt.Errorf("%s (%s in %s/%s): %w", r.chain(c.Package), c.Version, c.Archive, c.Suite, err)
			}
			for _, rel := range c.relations {
				if _, _, ok := r.satisfied(rel); ok {
					continue
				}
				if r.choice(rel) {
					r.deferred = append(r.deferred, pending{from: c, rel: rel})
					continue
				}
				if err := r.decide(c, rel); err != nil {
					return err
				}
			}
		}
		if len(r.deferred) == 0 {
			return nil
		}
		d := r.deferred[0]
		r.deferred = r.deferred[1:]
		if _, _, ok := r.satisfied(d.rel); ok {
			continue
		}
		if err := r.decide(d.from, d.rel); err != nil {
			return err
		}
	}
}

// decide adds the first satisfiable possibility of rel, a relation of from
// not yet satisfied.
func (r *resolver) decide(from *cand, rel relation) error {
	var why []string
	for _, p := range rel.poss {
		c, reason := r.pick(p, false)
		if c != nil {
			r.add(c, from)
			return nil
		}
		why = append(why, p.text+": "+reason)
	}
	if len(rel.poss) == 1 {
		_, reason, _ := strings.Cut(why[0], ": ")
		return fmt.Errorf("%s → %s: %s", r.chain(from.Package), rel, reason)
	}
	return fmt.Errorf("%s → %s: %s", r.chain(from.Package), rel, strings.Join(why, "; "))
}

// result lists the closure with each package's satisfiers, computed on the
// final closure so that they do not depend on the order of decisions.
func (r *resolver) result() ([]Package, error) {
	var out []Package
	for _, c := range r.chosen {
		pkg := Package{Candidate: c.Candidate, Depends: []string{}, Excluded: []string{}}
		for _, rel := range c.relations {
			by, excl, ok := r.satisfied(rel)
			switch {
			case !ok:
				return nil, fmt.Errorf("%s: internal error: %s → %s is not satisfied by the closure", r.archName, c.Package, rel)
			case by != nil && by != c:
				pkg.Depends = append(pkg.Depends, by.Package)
			case excl != "":
				pkg.Excluded = append(pkg.Excluded, excl)
			}
		}
		slices.Sort(pkg.Depends)
		pkg.Depends = slices.Compact(pkg.Depends)
		slices.Sort(pkg.Excluded)
		pkg.Excluded = slices.Compact(pkg.Excluded)
		out = append(out, pkg)
	}
	slices.SortFunc(out, func(a, b Package) int { return cmp.Compare(a.Name(), b.Name()) })
	return out, nil
}
