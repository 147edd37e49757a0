package faultproxy

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseRules reads a fault schedule: rules separated by ";" or newlines,
// each
//
//	METHOD KIND [#N | #N-M | #N+] [after=BYTES] (reset | STATUS)
//
// METHOD and KIND may be "*" (any). #N faults the Nth matching request
// (default #1), #N-M the Nth to the Mth, #N+ every one from the Nth on.
// For example:
//
//	PATCH upload #2 after=4096 reset; PUT manifest 503; HEAD blob #1+ 500
func ParseRules(schedule string) ([]Rule, error) {
	var rules []Rule
	for _, line := range strings.FieldsFunc(schedule, func(r rune) bool { return r == ';' || r == '\n' }) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		r, err := parseRule(line)
		if err != nil {
			return nil, fmt.Errorf("fault rule %q: %w (want METHOD KIND [#N|#N-M|#N+] [after=BYTES] reset|STATUS)", strings.TrimSpace(line), err)
		}
		rules = append(rules, r)
	}
	return rules, nil
}

var kinds = map[string]Kind{"*": "", "ping": Ping, "blob": Blob, "upload": Upload, "manifest": Manifest, "tags": Tags, "other": Other}

func parseRule(line string) (Rule, error) {
	f := strings.Fields(line)
	if len(f) < 3 {
		return Rule{}, fmt.Errorf("too few fields")
	}
	r := Rule{From: 1, Count: 1}
	if f[0] != "*" {
		r.Method = strings.ToUpper(f[0])
	}
	kind, ok := kinds[f[1]]
	if !ok {
		return Rule{}, fmt.Errorf("unknown kind %q: one of *, ping, blob, upload, manifest, tags, other", f[1])
	}
	r.Kind = kind
	action := f[len(f)-1]
	for _, opt := range f[2 : len(f)-1] {
		switch {
		case strings.HasPrefix(opt, "#"):
			if err := parseRange(opt[1:], &r); err != nil {
				return Rule{}, err
			}
		case strings.HasPrefix(opt, "after="):
			n, err := strconv.ParseInt(strings.TrimPrefix(opt, "after="), 10, 64)
			if err != nil || n < 0 {
				return Rule{}, fmt.Errorf("after=%q is not a byte count", strings.TrimPrefix(opt, "after="))
			}
			r.After = n
		default:
			return Rule{}, fmt.Errorf("unknown field %q", opt)
		}
	}
	if action != "reset" {
		code, err := strconv.Atoi(action)
		if err != nil || code < 100 || code > 599 {
			return Rule{}, fmt.Errorf("action %q is neither reset nor an HTTP status", action)
		}
		r.Status = code
	}
	return r, nil
}

func parseRange(s string, r *Rule) error {
	bad := fmt.Errorf("#%s is not #N, #N-M or #N+", s)
	if from, ok := strings.CutSuffix(s, "+"); ok {
		n, err := strconv.Atoi(from)
		if err != nil || n < 1 {
			return bad
		}
		r.From, r.Count = n, Forever
		return nil
	}
	from, to, isRange := strings.Cut(s, "-")
	n, err := strconv.Atoi(from)
	if err != nil || n < 1 {
		return bad
	}
	r.From, r.Count = n, 1
	if isRange {
		m, err := strconv.Atoi(to)
		if err != nil || m < n {
			return bad
		}
		r.Count = m - n + 1
	}
	return nil
}
