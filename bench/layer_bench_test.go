package bench

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rules-distill/rules_distill/bench/internal/treegen"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
)

// treeMB is the size of the benchmarked tree: $BENCH_TREE_MB, default 64.
func treeMB(tb testing.TB) float64 {
	s := os.Getenv("BENCH_TREE_MB")
	if s == "" {
		return 64
	}
	mb, err := strconv.ParseFloat(s, 64)
	if err != nil || mb <= 0 {
		tb.Fatalf("BENCH_TREE_MB=%q: want a size in MB, e.g. 64", s)
	}
	return mb
}

// counter counts the bytes written to it.
type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// BenchmarkWrite times layer.Write (tar, both sha256s, compression) over a generated tree per
// compression and level, and reports the compressed size per source byte (ratio).
//
//	BENCH_TREE_MB=256 go test -run '^$' -bench Write -cpuprofile cpu.out ./bench
func BenchmarkWrite(b *testing.B) {
	seed := os.Getenv("BENCH_SEED") // e.g. /usr/lib/jvm/default-java
	tree, err := treegen.Write(filepath.Join(b.TempDir(), "tree"), treegen.Options{Size: int64(treeMB(b) * 1e6), Seed: seed})
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		compression layer.Compression
		level       int
	}{
		{layer.Gzip, 1}, {layer.Gzip, 6}, {layer.Gzip, 9},
		{layer.Zstd, 1}, {layer.Zstd, 3}, {layer.Zstd, 9},
		{layer.None, 0},
	}
	for _, tc := range cases {
		b.Run(fmt.Sprintf("%s-%d", tc.compression, tc.level), func(b *testing.B) {
			opts := layer.Options{Compression: tc.compression, Level: tc.level, ModTime: time.Unix(0, 0)}
			b.SetBytes(tree.Size)
			var out counter
			for b.Loop() {
				out = counter{}
				desc, err := layer.Write(&out, tree.Entries, opts)
				if err != nil {
					b.Fatal(err)
				}
				if desc.Size != out.n {
					b.Fatalf("descriptor says %d bytes, %d were written", desc.Size, out.n)
				}
			}
			b.ReportMetric(float64(out.n)/float64(tree.Size), "ratio")
		})
	}
}

// TestWriteDeterministic checks what the benchmark relies on: the same tree gives the same
// digest whatever GOMAXPROCS is (the compressor's block size and concurrency are pinned).
func TestWriteDeterministic(t *testing.T) {
	tree, err := treegen.Write(filepath.Join(t.TempDir(), "tree"), treegen.Options{Size: 6e6})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []layer.Compression{layer.Gzip, layer.Zstd} {
		opts := layer.Options{Compression: c, Level: c.DefaultLevel(), ModTime: time.Unix(0, 0)}
		var digests []string
		for _, procs := range []int{1, 2, 8} {
			func() {
				defer setProcs(procs)()
				desc, err := layer.Write(io.Discard, tree.Entries, opts)
				if err != nil {
					t.Fatal(err)
				}
				digests = append(digests, desc.Digest.String())
			}()
		}
		for i, d := range digests[1:] {
			if d != digests[0] {
				t.Errorf("%s: digest with GOMAXPROCS %d is %s, with 1 %s", c, []int{2, 8}[i], d, digests[0])
			}
		}
	}
}
