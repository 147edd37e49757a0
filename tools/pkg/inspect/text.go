package inspect

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// HumanSize writes n bytes in decimal units, as registries and docker
// do: "875 B", "63.6 kB", "20.3 MB".
func HumanSize(n int64) string {
	const unit = 1000
	if n < unit && n > -unit {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n)
	for _, u := range []string{"kB", "MB", "GB", "TB"} {
		f /= unit
		if f < unit && f > -unit || u == "TB" {
			return fmt.Sprintf("%.1f %s", f, u)
		}
	}
	panic("unreachable")
}

// ShortDigest cuts "sha256:<64 hex>" to "sha256:<12 hex>" for tables.
func ShortDigest(d string) string {
	if len(d) > len("sha256:")+12 {
		return d[:len("sha256:")+12]
	}
	return d
}

// WriteTable writes rows under header as aligned columns separated by two
// spaces; align has one letter per column, 'l' or 'r'. Lines carry no
// trailing spaces.
func WriteTable(w io.Writer, header []string, align string, rows [][]string) error {
	widths := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	bw := bufio.NewWriter(w)
	for _, r := range append([][]string{header}, rows...) {
		var line strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				line.WriteString("  ")
			}
			if align[i] == 'r' {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		fmt.Fprintln(bw, strings.TrimRight(line.String(), " "))
	}
	return bw.Flush()
}

// quoted writes a command line as the JSON list it is in the config.
func quoted(args []string) string {
	if args == nil {
		return ""
	}
	b, _ := json.Marshal(args)
	return string(b)
}

// WriteText writes img for people: the config, then tables of the layers,
// the packages and the largest files.
func (img *Image) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	c := img.Config
	platform := c.OS + "/" + c.Architecture
	if c.Variant != "" {
		platform += "/" + c.Variant
	}
	fields := [][2]string{
		{"image", img.Source.Ref + " (" + img.Source.Kind + ")"},
		{"digest", orNone(img.Source.Digest, "none: a docker-archive keeps no manifest")},
		{"config", img.ConfigDigest},
		{"platform", platform},
		{"created", c.Created},
		{"user", orNone(c.User, "(root)")},
		{"workdir", c.WorkingDir},
		{"entrypoint", quoted(c.Entrypoint)},
		{"cmd", quoted(c.Cmd)},
	}
	for i, e := range c.Env {
		fields = append(fields, [2]string{map[bool]string{true: "env"}[i == 0], e})
	}
	if len(c.ExposedPorts) > 0 {
		fields = append(fields, [2]string{"ports", strings.Join(c.ExposedPorts, " ")})
	}
	if len(c.Volumes) > 0 {
		fields = append(fields, [2]string{"volumes", strings.Join(c.Volumes, " ")})
	}
	var labels []string
	for k := range c.Labels {
		labels = append(labels, k)
	}
	sort.Strings(labels)
	for i, k := range labels {
		fields = append(fields, [2]string{map[bool]string{true: "labels"}[i == 0], k + "=" + c.Labels[k]})
	}
	if c.StopSignal != "" {
		fields = append(fields, [2]string{"stopsignal", c.StopSignal})
	}
	t := img.Totals
	fields = append(fields, [2]string{"size", fmt.Sprintf("%s compressed, %s uncompressed, %d layers",
		HumanSize(t.CompressedSize), HumanSize(t.UncompressedSize), len(img.Layers))})
	fields = append(fields, [2]string{"filesystem", fmt.Sprintf("%d files (%s), %d dirs, %d symlinks, %d other",
		t.Files, HumanSize(t.FileBytes), t.Dirs, t.Symlinks, t.Other)})
	for _, f := range fields {
		if f[1] == "" {
			continue
		}
		label := ""
		if f[0] != "" {
			label = f[0] + ":"
		}
		fmt.Fprintf(bw, "%-12s%s\n", label, f[1])
	}

	fmt.Fprintln(bw)
	var rows [][]string
	for _, l := range img.Layers {
		rows = append(rows, []string{strconv.Itoa(l.Index), ShortDigest(l.Digest), HumanSize(l.CompressedSize),
			HumanSize(l.UncompressedSize), strconv.Itoa(l.Files), HumanSize(l.ShadowedBytes), strings.Join(l.Packages, " ")})
	}
	if err := WriteTable(bw, []string{"LAYER", "DIGEST", "COMPRESSED", "UNCOMPRESSED", "FILES", "SHADOWED", "PACKAGES"}, "rlrrrrl", rows); err != nil {
		return err
	}

	fmt.Fprintln(bw)
	rows = nil
	for _, p := range img.Packages {
		rows = append(rows, []string{p.Name, p.Version, p.Architecture, HumanSize(p.Size),
			fmt.Sprintf("%d/%d", p.Files, p.Listed), HumanSize(p.InstalledSizeKiB * 1024), strconv.Itoa(p.Layer)})
	}
	rows = append(rows, []string{"(no package)", "", "", HumanSize(img.Unpackaged.Size), strconv.Itoa(img.Unpackaged.Files), "", ""})
	if err := WriteTable(bw, []string{fmt.Sprintf("PACKAGES (%d)", len(img.Packages)), "VERSION", "ARCH", "SIZE", "FILES", "INSTALLED-SIZE", "LAYER"}, "lllrrrr", rows); err != nil {
		return err
	}

	fmt.Fprintln(bw)
	rows = nil
	for _, f := range img.LargestFiles {
		rows = append(rows, []string{HumanSize(f.Size), f.Path, f.Package})
	}
	if err := WriteTable(bw, []string{"SIZE", "LARGEST FILES", "PACKAGE"}, "rll", rows); err != nil {
		return err
	}
	return bw.Flush()
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}
