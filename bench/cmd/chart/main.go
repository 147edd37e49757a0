package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "chart: %v\n", err)
		os.Exit(1)
	}
}

// result is the part of report's JSON that the chart needs.
type result struct {
	Meta   map[string]string `json:"meta"`
	Series []struct {
		Bench  string  `json:"bench"`
		Case   string  `json:"case"`
		SizeMB float64 `json:"sizeMB"`
		Metric string  `json:"metric"`
		Median float64 `json:"median"`
	} `json:"series"`
}

// order is the legend order; cases not listed follow, sorted.
var order = []string{"distill-gzip6", "pipeline-gzip6", "distill-gzip1", "pipeline-gzip1", "distill-zstd3", "pipeline-zstd3", "tar+crane-append", "crane-append", "umoci-insert"}

func run(args []string) error {
	fs := flag.NewFlagSet("chart", flag.ContinueOnError)
	in := fs.String("in", "", "the bench/run.sh result `JSON`")
	out := fs.String("out", "", "the `PNG` to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || *out == "" {
		return errors.New("usage: chart --in latest.json --out p1.png")
	}
	data, err := os.ReadFile(*in)
	if err != nil {
		return fmt.Errorf("reading result: %w", err)
	}
	var r result
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("parsing result %s: %w", *in, err)
	}
	seen := map[string]bool{}
	for _, s := range r.Series {
		if s.Bench == "P1" && s.Metric == "wall_s" && s.Case != "tar" {
			seen[s.Case] = true
		}
	}
	if len(seen) == 0 {
		return fmt.Errorf("%s has no P1 wall times: run bench/run.sh with P1", *in)
	}
	cases := make([]string, 0, len(seen))
	for c := range seen {
		cases = append(cases, c)
	}
	slices.SortFunc(cases, func(a, b string) int {
		ia, ib := slices.Index(order, a), slices.Index(order, b)
		if ia < 0 {
			ia = len(order)
		}
		if ib < 0 {
			ib = len(order)
		}
		if ia != ib {
			return ia - ib
		}
		return strings.Compare(a, b)
	})

	wall, err := panel(r, cases, "wall_s", "wall time (s), median")
	if err != nil {
		return err
	}
	cpu, err := panel(r, cases, "cpu_s", "CPU time, user + sys (s), median")
	if err != nil {
		return err
	}
	wall.Title.Text = fmt.Sprintf("P1 layer build: wall time (%s cores, load %s)", r.Meta["cores"], r.Meta["load_start"])
	cpu.Title.Text = "P1 layer build: CPU time (steadier under load)"
	img := vgimg.New(14*vg.Inch, 5.5*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Inch / 4, PadTop: vg.Inch / 8, PadBottom: vg.Inch / 8, PadLeft: vg.Inch / 8, PadRight: vg.Inch / 8}
	wall.Draw(tiles.At(dc, 0, 0))
	cpu.Draw(tiles.At(dc, 1, 0))
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return fmt.Errorf("creating chart directory: %w", err)
	}
	f, err := atomicfile.Create(*out)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		return fmt.Errorf("writing %s: %w", *out, err)
	}
	return atomicfile.Commit(f)
}

// panel plots metric against the tree size, one line per case.
func panel(r result, cases []string, metric, label string) (*plot.Plot, error) {
	points := map[string]plotter.XYs{}
	for _, s := range r.Series {
		if s.Bench == "P1" && s.Metric == metric {
			points[s.Case] = append(points[s.Case], plotter.XY{X: s.SizeMB, Y: s.Median})
		}
	}
	p := plot.New()
	p.X.Label.Text = "tree size (MB)"
	p.Y.Label.Text = label
	p.Y.Min = 0
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = true
	for i, c := range cases {
		xys := points[c]
		if len(xys) == 0 {
			continue
		}
		slices.SortFunc(xys, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
		line, dots, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("plotting %s %s: %w", c, metric, err)
		}
		col := palette[i%len(palette)]
		line.Color, dots.Color = col, col
		line.Width = vg.Points(1.5)
		if strings.HasPrefix(c, "distill") {
			line.Width = vg.Points(3)
		} else {
			line.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		}
		dots.Shape = draw.CircleGlyph{}
		p.Add(line, dots)
		p.Legend.Add(c, line, dots)
	}
	return p, nil
}

var palette = []color.Color{
	color.RGBA{R: 0x1f, G: 0x4e, B: 0xb4, A: 0xff}, // distill-gzip6: blue
	color.RGBA{R: 0x6b, G: 0xae, B: 0xd6, A: 0xff}, // pipeline-gzip6: light blue
	color.RGBA{R: 0x1a, G: 0x8a, B: 0x2e, A: 0xff}, // distill-gzip1: green
	color.RGBA{R: 0x9c, G: 0xd6, B: 0x7a, A: 0xff}, // pipeline-gzip1: light green
	color.RGBA{R: 0x75, G: 0x3f, B: 0xb0, A: 0xff}, // distill-zstd3: purple
	color.RGBA{R: 0xc4, G: 0xa3, B: 0xe6, A: 0xff}, // pipeline-zstd3: light purple
	color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, // tar+crane-append: red
	color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}, // crane-append: orange
	color.RGBA{R: 0x5a, G: 0x3a, B: 0x2a, A: 0xff}, // umoci-insert: brown
}
