package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "report: %v\n", err)
		os.Exit(1)
	}
}

// Key names one series of measurements.
type Key struct {
	Bench  string  `json:"bench"`
	Case   string  `json:"case"`
	SizeMB float64 `json:"sizeMB"`
	Metric string  `json:"metric"`
}

// Series is the values measured for a Key and their median.
type Series struct {
	Key
	Median float64   `json:"median"`
	Values []float64 `json:"values"`
}

// Target is one performance target and whether the measurements meet it.
type Target struct {
	ID     string  `json:"id"`
	What   string  `json:"what"`
	Value  float64 `json:"value"`
	Limit  string  `json:"limit"`
	Met    bool    `json:"met"`
	Detail string  `json:"detail,omitempty"`
}

// Result is what report writes as JSON.
type Result struct {
	Meta    map[string]string `json:"meta"`
	Targets []Target          `json:"targets"`
	Series  []Series          `json:"series"`
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	in := fs.String("in", "", "measurements `TSV`: bench case sizeMB metric value")
	meta := fs.String("meta", "", "`TSV` of key value facts about the run (date, load, versions)")
	out := fs.String("out", "", "where to write the `JSON` result")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || *out == "" {
		return errors.New("usage: report --in measurements.tsv [--meta meta.tsv] --out result.json")
	}
	series, err := readSeries(*in)
	if err != nil {
		return err
	}
	m := map[string]string{}
	if *meta != "" {
		if m, err = readMeta(*meta); err != nil {
			return err
		}
	}
	r := Result{Meta: m, Series: series}
	r.Targets = targets(index(series), maxOf(series))
	printTables(stdout, r)
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding result: %w", err)
	}
	f, err := atomicfile.Bytes(*out, append(data, '\n'))
	if err != nil {
		return err
	}
	defer f.Abort()
	return atomicfile.Commit(f)
}

func readMeta(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading run facts: %w", err)
	}
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		k, v, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, fmt.Errorf("%s: line %q is not KEY<tab>VALUE", path, line)
		}
		m[k] = v
	}
	return m, nil
}

// readSeries reads the measurements and groups them by key, in the order keys first appear.
func readSeries(path string) ([]Series, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading measurements: %w", err)
	}
	defer f.Close()
	var out []Series
	at := map[Key]int{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 5 {
			return nil, fmt.Errorf("%s:%d: %d fields, want 5 (bench case sizeMB metric value)", path, n, len(fields))
		}
		size, err1 := strconv.ParseFloat(fields[2], 64)
		value, err2 := strconv.ParseFloat(fields[4], 64)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		k := Key{Bench: fields[0], Case: fields[1], SizeMB: size, Metric: fields[3]}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, Series{Key: k})
		}
		out[i].Values = append(out[i].Values, value)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading measurements: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no measurements: did every benchmark fail?", path)
	}
	for i := range out {
		out[i].Median = median(out[i].Values)
	}
	return out, nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

type lookup map[Key]float64

func index(series []Series) lookup {
	l := lookup{}
	for _, s := range series {
		l[s.Key] = s.Median
	}
	return l
}

// maxOf returns the largest value of each series.
func maxOf(series []Series) lookup {
	l := lookup{}
	for _, s := range series {
		l[s.Key] = slices.Max(s.Values)
	}
	return l
}

func (l lookup) get(bench, c string, size float64, metric string) (float64, bool) {
	v, ok := l[Key{bench, c, size, metric}]
	return v, ok
}

// sizes returns the tree sizes P1 was run at, ascending.
func (l lookup) sizes(bench string) []float64 {
	var s []float64
	for k := range l {
		if k.Bench == bench && !slices.Contains(s, k.SizeMB) {
			s = append(s, k.SizeMB)
		}
	}
	slices.Sort(s)
	return s
}

// targets checks the measurements against the targets. P1 is judged at the largest
// tree measured (500 MB in a full run).
func targets(l lookup, maxes lookup) []Target {
	var ts []Target
	ratio := func(id, what, num, den string, size float64, limit float64, atMost bool) {
		a, ok1 := l.get("P1", num, size, "wall_s")
		b, ok2 := l.get("P1", den, size, "wall_s")
		if !ok1 || !ok2 || b == 0 {
			return
		}
		v := a / b
		t := Target{ID: id, What: fmt.Sprintf("%s (%g MB tree)", what, size), Value: round(v, 3)}
		if atMost {
			t.Limit, t.Met = fmt.Sprintf("<= %g", limit), v <= limit
		} else {
			t.Limit, t.Met = fmt.Sprintf(">= %g", limit), v >= limit
		}
		t.Detail = fmt.Sprintf("%s %.2f s / %s %.2f s", num, a, den, b)
		if ca, ok := l.get("P1", num, size, "cpu_s"); ok {
			if cb, ok := l.get("P1", den, size, "cpu_s"); ok && cb > 0 {
				t.Detail += fmt.Sprintf("; CPU %.2f s / %.2f s = %.2f", ca, cb, ca/cb)
			}
		}
		ts = append(ts, t)
	}
	if s := l.sizes("P1"); len(s) > 0 {
		size := s[len(s)-1]
		if slices.Contains(s, 500) {
			size = 500
		}
		for _, lvl := range []string{"1", "6"} {
			ratio("P1", "distill gzip-"+lvl+" / pipeline gzip-"+lvl+" wall", "distill-gzip"+lvl, "pipeline-gzip"+lvl, size, 1.1, true)
		}
		ratio("P1", "crane append / distill gzip-1 wall (crane compresses at gzip.BestSpeed)", "crane-append", "distill-gzip1", size, 1.5, false)
		ratio("P1", "crane append / distill gzip-6 wall", "crane-append", "distill-gzip6", size, 1.5, false)
		ratio("P1", "tar + crane append / distill gzip-6 wall", "tar+crane-append", "distill-gzip6", size, 1.5, false)
		if rss, ok := l.get("P4", "distill-gzip6", size, "maxrss_mb"); ok {
			ts = append(ts, Target{ID: "P4", What: fmt.Sprintf("peak RSS of distill layer, gzip-6 (%g MB tree), MB", size), Value: rss, Limit: "<= 64", Met: rss <= 64})
		}
	}
	for _, k := range sortedKeys(l, "P2") {
		if k.Metric != "wall_s" {
			continue
		}
		wall := l[k]
		ts = append(ts, Target{ID: "P2", What: "incremental rebuild after an app edit (" + k.Case + "), median wall s", Value: round(wall, 3), Limit: "<= 1.5", Met: wall <= 1.5})
		if n, ok := maxes[Key{"P2", k.Case, k.SizeMB, "actions"}]; ok {
			ts = append(ts, Target{ID: "P2", What: "actions executed by that rebuild (" + k.Case + "), max of runs", Value: n, Limit: "<= 3", Met: n <= 3})
		}
	}
	for _, k := range sortedKeys(l, "P3") {
		if k.Metric != "wall_s" || k.SizeMB == 0 {
			continue
		}
		small, ok := l.get("P3", k.Case, 10, "wall_s")
		if !ok || k.SizeMB == 10 || small == 0 {
			continue
		}
		v := l[k] / small
		ts = append(ts, Target{ID: "P3", What: fmt.Sprintf("%s time, %g MB layer / 10 MB layer", k.Case, k.SizeMB), Value: round(v, 3), Limit: "<= 1.2", Met: v <= 1.2,
			Detail: fmt.Sprintf("%.1f ms / %.1f ms", l[k]*1000, small*1000)})
	}
	for _, k := range sortedKeys(l, "P3") {
		if k.Metric == "copied_layers" {
			ts = append(ts, Target{ID: "P3", What: "layer blobs copied (not hard-linked) into the Bazel-built layout (" + k.Case + ")", Value: l[k], Limit: "== 0", Met: l[k] == 0})
		}
	}
	for _, k := range sortedKeys(l, "P5") {
		switch k.Metric {
		case "local_actions":
			ts = append(ts, Target{ID: "P5", What: "actions run locally after clean --expunge with the remote cache, all", Value: l[k], Limit: "== 0", Met: l[k] == 0,
				Detail: "DistillLayout is no-remote by design: hard links, milliseconds"})
		case "local_cacheable_actions":
			ts = append(ts, Target{ID: "P5", What: "remote-cacheable actions run locally after clean --expunge", Value: l[k], Limit: "== 0", Met: l[k] == 0})
		case "uploaded_mb":
			if img, ok := l.get("P5", "image", 0, "mb"); ok && img >= 1 { // not for the smoke image
				ts = append(ts, Target{ID: "P5", What: "MB uploaded by a rebuild after an app edit", Value: l[k], Limit: "much less than the image (" + strconv.FormatFloat(img, 'f', 2, 64) + " MB)", Met: l[k] < img/10})
			}
		}
	}
	return ts
}

func sortedKeys(l lookup, bench string) []Key {
	var ks []Key
	for k := range l {
		if k.Bench == bench {
			ks = append(ks, k)
		}
	}
	slices.SortFunc(ks, func(a, b Key) int {
		return strings.Compare(fmt.Sprintf("%s %012.3f %s", a.Case, a.SizeMB, a.Metric), fmt.Sprintf("%s %012.3f %s", b.Case, b.SizeMB, b.Metric))
	})
	return ks
}

func round(v float64, digits int) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', digits, 64), 64)
	return f
}

// printTables prints the P1 table (per tree size: each case's median wall and CPU time, blob
// size and ratio to the pipeline at the same level), the other series and the targets.
func printTables(w io.Writer, r Result) {
	l := index(r.Series)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if sizes := l.sizes("P1"); len(sizes) > 0 {
		fmt.Fprintln(w, "P1 layer build (median of runs):")
		fmt.Fprintln(tw, "tree MB\tcase\twall s\tCPU s\tblob MB\tvs pipeline\t")
		for _, size := range sizes {
			for _, k := range sortedKeys(l, "P1") {
				if k.SizeMB != size || k.Metric != "wall_s" {
					continue
				}
				cpu, _ := l.get("P1", k.Case, size, "cpu_s")
				blob, _ := l.get("P1", k.Case, size, "blob_mb")
				vs := ""
				if lvl, ok := strings.CutPrefix(k.Case, "distill-gzip"); ok {
					if p, ok := l.get("P1", "pipeline-gzip"+lvl, size, "wall_s"); ok && p > 0 {
						vs = fmt.Sprintf("%.2f×", l[k]/p)
					}
				}
				fmt.Fprintf(tw, "%g\t%s\t%.2f\t%.2f\t%.1f\t%s\t\n", size, k.Case, l[k], cpu, blob, vs)
			}
		}
		tw.Flush()
	}
	var other []Key
	for _, b := range []string{"P2", "P3", "P4", "P5"} {
		other = append(other, sortedKeys(l, b)...)
	}
	if len(other) > 0 {
		fmt.Fprintln(w, "\nP2-P5 (median of runs):")
		fmt.Fprintln(tw, "bench\tcase\tsize MB\tmetric\tmedian\truns\t")
		for _, k := range other {
			fmt.Fprintf(tw, "%s\t%s\t%g\t%s\t%.4g\t%d\t\n", k.Bench, k.Case, k.SizeMB, k.Metric, l[k], len(values(r.Series, k)))
		}
		tw.Flush()
	}
	fmt.Fprintln(w, "\ntargets:")
	for _, t := range r.Targets {
		verdict := "met"
		if !t.Met {
			verdict = "MISSED"
		}
		detail := ""
		if t.Detail != "" {
			detail = " (" + t.Detail + ")"
		}
		fmt.Fprintf(w, "  %s %-6s %s: %g, target %s%s\n", t.ID, verdict, t.What, t.Value, t.Limit, detail)
	}
}

func values(series []Series, k Key) []float64 {
	for _, s := range series {
		if s.Key == k {
			return s.Values
		}
	}
	return nil
}
