package resolve

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
	"pault.ag/go/debian/control"
)

var update = flag.Bool("update", false, "rewrite the want.json files of testdata/ from the resolver's output")

// request is a test case's request.yaml.
type request struct {
	Architecture string   `yaml:"architecture"`
	Packages     []string `yaml:"packages"`
	Exclude      []string `yaml:"exclude"`
	// Indexes are the Packages files with their origins, in priority order.
	// Default: one file "Packages" of debian/bookworm/main.
	Indexes []index `yaml:"indexes"`
}

type index struct {
	Archive   string `yaml:"archive"`
	Suite     string `yaml:"suite"`
	Component string `yaml:"component"`
	File      string `yaml:"file"`
}

// golden is a test case's want.json: the closure or the error.
type golden struct {
	Packages []goldenPackage `json:"packages,omitempty"`
	Error    string          `json:"error,omitempty"`
}

type goldenPackage struct {
	Name         string   `json:"name"`
	Version      string   `json:"version"`
	Architecture string   `json:"architecture"`
	Origin       string   `json:"origin"`
	Depends      []string `json:"depends,omitempty"`
	Excluded     []string `json:"excluded,omitempty"`
}

func readCase(t *testing.T, dir string) Input {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "request.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var req request
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&req); err != nil {
		t.Fatalf("request.yaml: %v", err)
	}
	if len(req.Indexes) == 0 {
		req.Indexes = []index{{Archive: "debian", Suite: "bookworm", File: "Packages"}}
	}
	in := Input{Architecture: req.Architecture, Requests: req.Packages, Exclude: req.Exclude}
	for _, ix := range req.Indexes {
		if ix.Component == "" {
			ix.Component = "main"
		}
		f, err := os.Open(filepath.Join(dir, ix.File))
		if err != nil {
			t.Fatal(err)
		}
		entries, err := control.ParseBinaryIndex(bufio.NewReader(f))
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", ix.File, err)
		}
		for _, e := range entries {
			in.Candidates = append(in.Candidates, Candidate{BinaryIndex: e, Archive: ix.Archive, Suite: ix.Suite, Component: ix.Component})
		}
		o := Origin{ix.Archive, ix.Suite}
		if len(in.Origins) == 0 || in.Origins[len(in.Origins)-1] != o {
			in.Origins = append(in.Origins, o)
		}
	}
	return in
}

func run(in Input) golden {
	pkgs, err := Resolve(in)
	if err != nil {
		return golden{Error: err.Error()}
	}
	var g golden
	for _, p := range pkgs {
		c := p.Candidate
		g.Packages = append(g.Packages, goldenPackage{
			Name:         c.Package,
			Version:      c.Version.String(),
			Architecture: c.Architecture.String(),
			Origin:       c.Archive + "/" + c.Suite + "/" + c.Component,
			Depends:      nilIfEmpty(p.Depends),
			Excluded:     nilIfEmpty(p.Excluded),
		})
	}
	return g
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func encode(t *testing.T, g golden) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(g); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCorpus resolves every case of testdata/ and compares with want.json;
// each case is also resolved with its candidates shuffled.
func TestCorpus(t *testing.T) {
	dirs, err := filepath.Glob("testdata/[0-9]*")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no test cases in testdata/")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			in := readCase(t, dir)
			got := run(in)
			wantPath := filepath.Join(dir, "want.json")
			if *update {
				if err := os.WriteFile(wantPath, encode(t, got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			var want golden
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatalf("want.json: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Resolve (-want +got):\n%s", diff)
			}
			if strings.Contains(got.Error, "\n") {
				t.Errorf("error is not one line: %q", got.Error)
			}
			for seed := range uint64(5) {
				shuffled := in
				shuffled.Candidates = append([]Candidate(nil), in.Candidates...)
				rand.New(rand.NewPCG(seed, seed)).Shuffle(len(shuffled.Candidates), func(i, j int) {
					shuffled.Candidates[i], shuffled.Candidates[j] = shuffled.Candidates[j], shuffled.Candidates[i]
				})
				if diff := cmp.Diff(got, run(shuffled)); diff != "" {
					t.Errorf("Resolve with shuffled candidates (seed %d) differs (-first +shuffled):\n%s", seed, diff)
				}
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name    string
		in      Input
		wantErr string
	}{
		{name: "no architecture", in: Input{Requests: []string{"a"}}, wantErr: `resolving for architecture "": not a machine architecture`},
		{name: "architecture all", in: Input{Architecture: "all"}, wantErr: `resolving for architecture "all"`},
		{name: "wildcard architecture", in: Input{Architecture: "linux-any"}, wantErr: `resolving for architecture "linux-any"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Resolve(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Resolve error = %v, want %q", err, tc.wantErr)
			}
		})
	}
}
