package sbom

import (
	"bufio"
	"bytes"
	"regexp"
	"sort"
	"strings"
)

// NoAssertion is SPDX's "nothing is said": the value of a license that the
// copyright file does not state in machine-readable form.
const NoAssertion = "NOASSERTION"

// License returns the SPDX license expression that a Debian copyright file
// declares, or NoAssertion.
//
// Only machine-readable copyright files (DEP-5, a first paragraph with a
// Format field naming copyright-format) are read: the first line of the
// License field of the header and of every Files paragraph. Free-form
// files give NoAssertion: guessing from prose is a scanner's job. Debian's
// short names become SPDX identifiers ("GPL-2+" → "GPL-2.0-or-later",
// "Expat" → "MIT", "BSD-3-clause" → "BSD-3-Clause"); "or", "and" and ","
// become OR and AND; "X with Y exception" becomes "X WITH Y" when Y is an
// SPDX exception. A name without an SPDX identifier becomes
// "LicenseRef-<name>" (see LicenseRefs). The distinct expressions of the
// paragraphs, sorted, are joined with AND.
func License(copyright []byte) string {
	paragraphs := deb822(copyright)
	if len(paragraphs) == 0 {
		return NoAssertion
	}
	format := paragraphs[0]["format"]
	if !strings.Contains(format, "copyright-format") && !strings.Contains(strings.ToLower(format), "dep5") {
		return NoAssertion
	}
	seen := map[string]bool{}
	var exprs []string
	for i, p := range paragraphs {
		if _, files := p["files"]; !files && i > 0 {
			continue // a stand-alone license text
		}
		short, _, _ := strings.Cut(p["license"], "\n")
		short = strings.TrimSpace(short)
		if short == "" {
			continue
		}
		e, ok := expression(short)
		if !ok {
			return NoAssertion
		}
		if !seen[e] {
			seen[e] = true
			exprs = append(exprs, e)
		}
	}
	if len(exprs) == 0 {
		return NoAssertion
	}
	sort.Strings(exprs)
	if len(exprs) == 1 {
		return exprs[0]
	}
	for i, e := range exprs {
		if strings.Contains(e, " ") {
			exprs[i] = "(" + e + ")"
		}
	}
	return strings.Join(exprs, " AND ")
}

// LicenseRefs returns the LicenseRef-… identifiers in expr, sorted, once each.
func LicenseRefs(expr string) []string {
	seen := map[string]bool{}
	var refs []string
	for _, t := range strings.FieldsFunc(expr, func(r rune) bool { return r == ' ' || r == '(' || r == ')' }) {
		if strings.HasPrefix(t, "LicenseRef-") && !seen[t] {
			seen[t] = true
			refs = append(refs, t)
		}
	}
	sort.Strings(refs)
	return refs
}

// deb822 splits a deb822 file into paragraphs of fields, names lowercased,
// continuation lines joined with "\n". It is lenient: lines that are
// neither a field nor a continuation are skipped.
func deb822(data []byte) []map[string]string {
	var out []map[string]string
	var p map[string]string
	var last string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.TrimSpace(line) == "":
			p, last = nil, ""
			continue
		case strings.HasPrefix(line, "#"):
			continue
		case line[0] == ' ' || line[0] == '\t':
			if p != nil && last != "" {
				p[last] += "\n" + strings.TrimSpace(line)
			}
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.ContainsAny(name, " \t") {
			continue
		}
		if p == nil {
			p = map[string]string{}
			out = append(out, p)
		}
		last = strings.ToLower(name)
		p[last] = strings.TrimSpace(value)
	}
	return out
}

// expression turns a DEP-5 license short name expression into SPDX; false
// when it cannot be parsed (unbalanced parentheses, a dangling operator).
func expression(short string) (string, bool) {
	tokens := tokenize(short)
	var out []string
	operand := false // whether the last thing written is an operand
	for i := 0; i < len(tokens); i++ {
		t := tokens[i]
		switch lt := strings.ToLower(t); {
		case lt == "or" || lt == "and" || t == ",":
			if !operand {
				return "", false
			}
			op := "AND"
			if lt == "or" {
				op = "OR"
			}
			out = append(out, op)
			operand = false
		case t == "(":
			if operand {
				return "", false
			}
			out = append(out, t)
		case t == ")":
			if !operand {
				return "", false
			}
			out = append(out, t)
		default:
			if operand {
				return "", false
			}
			// A name, maybe followed by "with ... exception".
			name := t
			var with []string
			if i+1 < len(tokens) && strings.EqualFold(tokens[i+1], "with") {
				j := i + 2
				for j < len(tokens) && !isOperator(tokens[j]) {
					with = append(with, tokens[j])
					j++
				}
				i = j - 1
			}
			out = append(out, licenseID(name, with))
			operand = true
		}
	}
	if !operand {
		return "", false
	}
	s := strings.Join(out, " ")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "( ", "("), " )", ")")
	if strings.Count(s, "(") != strings.Count(s, ")") {
		return "", false
	}
	return s, true
}

func isOperator(t string) bool {
	lt := strings.ToLower(t)
	return lt == "or" || lt == "and" || t == "," || t == "(" || t == ")"
}

func tokenize(s string) []string {
	var tokens []string
	for _, f := range strings.Fields(s) {
		for f != "" {
			i := strings.IndexAny(f, "(),")
			switch {
			case i < 0:
				tokens = append(tokens, f)
				f = ""
			case i > 0:
				tokens = append(tokens, f[:i])
				f = f[i:]
			default:
				tokens = append(tokens, f[:1])
				f = f[1:]
			}
		}
	}
	return tokens
}

// licenseID returns the SPDX form of one Debian license name, with the
// words of its "with ... exception" clause, if any.
func licenseID(name string, with []string) string {
	id, ok := spdxID(name)
	if len(with) == 0 {
		if ok {
			return id
		}
		return licenseRef(name)
	}
	if exc, known := exceptionID(with); ok && known {
		return id + " WITH " + exc
	}
	return licenseRef(name + "-with-" + strings.Join(with, "-"))
}

// gnu are the licenses whose Debian "N" and "N+" mean SPDX's -only and -or-later.
var gnu = map[string]string{
	"gpl-1": "GPL-1.0", "gpl-2": "GPL-2.0", "gpl-3": "GPL-3.0",
	"lgpl-2": "LGPL-2.0", "lgpl-2.0": "LGPL-2.0", "lgpl-2.1": "LGPL-2.1", "lgpl-3": "LGPL-3.0",
	"agpl-3": "AGPL-3.0", "gfdl-1.1": "GFDL-1.1", "gfdl-1.2": "GFDL-1.2", "gfdl-1.3": "GFDL-1.3",
	"gpl-1.0": "GPL-1.0", "gpl-2.0": "GPL-2.0", "gpl-3.0": "GPL-3.0", "lgpl-3.0": "LGPL-3.0", "agpl-3.0": "AGPL-3.0",
	"gfdl-niv-1.2": "GFDL-1.2-no-invariants", "gfdl-niv-1.3": "GFDL-1.3-no-invariants",
}

// known maps lowercased Debian short names to SPDX identifiers: DEP-5's
// list, SPDX identifiers Debian uses verbatim, and common spellings.
var known = map[string]string{
	"apache-1.0": "Apache-1.0", "apache-1.1": "Apache-1.1", "apache-2.0": "Apache-2.0", "apache-2": "Apache-2.0",
	"bsd-2": "BSD-2-Clause", "bsd-3": "BSD-3-Clause", "bsd-4": "BSD-4-Clause", "ms-pl": "MS-PL", "latex2e": "Latex2e",
	"artistic": "Artistic-1.0-Perl", "artistic-1.0": "Artistic-1.0", "artistic-2.0": "Artistic-2.0",
	"bsd-2-clause": "BSD-2-Clause", "bsd-3-clause": "BSD-3-Clause", "bsd-4-clause": "BSD-4-Clause",
	"bsl-1.0": "BSL-1.0", "cc0": "CC0-1.0", "cc0-1.0": "CC0-1.0", "cc-by-3.0": "CC-BY-3.0", "cc-by-4.0": "CC-BY-4.0",
	"cc-by-sa-3.0": "CC-BY-SA-3.0", "cc-by-sa-4.0": "CC-BY-SA-4.0", "cddl-1.0": "CDDL-1.0", "cpl-1.0": "CPL-1.0",
	"curl": "curl", "epl-1.0": "EPL-1.0", "epl-2.0": "EPL-2.0", "expat": "MIT", "mit": "MIT",
	"fsfap": "FSFAP", "fsful": "FSFUL", "fsfullr": "FSFULLR", "ftl": "FTL", "gpl-2.0-only": "GPL-2.0-only",
	"ijg": "IJG", "isc": "ISC", "libpng": "Libpng", "libpng-2.0": "libpng-2.0", "lppl-1.3c": "LPPL-1.3c",
	"mpl-1.1": "MPL-1.1", "mpl-2.0": "MPL-2.0", "ntp": "NTP", "openldap-2.8": "OpenLDAP-2.8", "openssl": "OpenSSL",
	"psf-2": "PSF-2.0", "psf-2.0": "PSF-2.0", "python": "Python-2.0", "python-2.0": "Python-2.0", "ruby": "Ruby",
	"sleepycat": "Sleepycat", "unicode-dfs-2015": "Unicode-DFS-2015", "unicode-dfs-2016": "Unicode-DFS-2016",
	"unlicense": "Unlicense", "w3c": "W3C", "wtfpl": "WTFPL", "x11": "X11", "zlib": "Zlib", "zpl-2.1": "ZPL-2.1",
	"bzip2-1.0.6": "bzip2-1.0.6", "mit-cmu": "MIT-CMU", "hpnd": "HPND", "tcl": "TCL", "ofl-1.1": "OFL-1.1",
	"0bsd": "0BSD", "bsd-source-code": "BSD-Source-Code", "gpl-2.0-or-later": "GPL-2.0-or-later",
	"lgpl-2.1-or-later": "LGPL-2.1-or-later", "lgpl-2.1-only": "LGPL-2.1-only", "gpl-3.0-or-later": "GPL-3.0-or-later",
}

func spdxID(name string) (string, bool) {
	lower := strings.ToLower(name)
	if id, ok := known[lower]; ok {
		return id, true
	}
	if base, ok := gnu[strings.TrimSuffix(lower, "+")]; ok {
		if strings.HasSuffix(lower, "+") {
			return base + "-or-later", true
		}
		return base + "-only", true
	}
	if id, ok := known[strings.TrimSuffix(lower, "+")]; ok && strings.HasSuffix(lower, "+") {
		return id + "+", true
	}
	return "", false
}

// exceptions maps the words of a "with ... exception" clause, lowercased
// and joined by "-", to SPDX exception identifiers.
var exceptions = map[string]string{
	"openssl-exception":                 "openvpn-openssl-exception",
	"gcc-exception-2.0":                 "GCC-exception-2.0",
	"gcc-exception-3.1":                 "GCC-exception-3.1",
	"gcc-runtime-library-exception":     "GCC-exception-3.1",
	"gcc-runtime-library-exception-3.1": "GCC-exception-3.1",
	"classpath-exception":               "Classpath-exception-2.0",
	"classpath-exception-2.0":           "Classpath-exception-2.0",
	"autoconf-exception":                "Autoconf-exception-2.0",
	"autoconf-exception-2.0":            "Autoconf-exception-2.0",
	"autoconf-exception-3.0":            "Autoconf-exception-3.0",
	"bison-exception":                   "Bison-exception-2.2",
	"bison-exception-2.2":               "Bison-exception-2.2",
	"libtool-exception":                 "Libtool-exception",
	"llvm-exception":                    "LLVM-exception",
	"font-exception":                    "Font-exception-2.0",
	"font-exception-2.0":                "Font-exception-2.0",
	"texinfo-exception":                 "Texinfo-exception",
	"linux-syscall-note":                "Linux-syscall-note",
}

func exceptionID(words []string) (string, bool) {
	id, ok := exceptions[strings.ToLower(strings.Join(words, "-"))]
	return id, ok
}

var notIDChars = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// licenseRef returns "LicenseRef-" and name with every run of characters
// SPDX does not allow in an identifier turned into "-", and a "+" into
// "-or-later".
func licenseRef(name string) string {
	name = strings.ReplaceAll(name, "+", "-or-later")
	name = strings.Trim(notIDChars.ReplaceAllString(name, "-"), "-")
	if name == "" {
		name = "unnamed"
	}
	return "LicenseRef-" + name
}
