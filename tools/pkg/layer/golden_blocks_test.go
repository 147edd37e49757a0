package layer

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// blocksContent returns n deterministic bytes that compress about 3× (words from an xorshift
// generator), so a layer of them spans several pgzip blocks.
func blocksContent(n int) []byte {
	words := []string{"layer ", "digest ", "stream ", "block ", "the ", "of ", "image ", "config\n", "a ", "distroless "}
	b := make([]byte, 0, n+16)
	x := uint64(88172645463325252)
	for len(b) < n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b = append(b, words[x%uint64(len(words))]...)
		if x%5 == 0 { // a few incompressible bytes
			b = append(b, byte(x>>8), byte(x>>16), byte(x>>24))
		}
	}
	return b[:n]
}

// TestGoldenBlocks pins the digests of a layer of several MiB: TestGolden's layers fit in one
// pgzip block, this one spans five, so a change of the block size, of how blocks are joined or
// of the compressor's level mapping fails here, loudly, with every GOMAXPROCS. Such a change
// changes the digest of every layer for every user: update the digests only on purpose (and
// tests/golden/digests.txt with tests/golden/update.sh), and say so in the change description.
func TestGoldenBlocks(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "data")
	if err := os.WriteFile(src, blocksContent(5<<20-12345), 0o644); err != nil {
		t.Fatal(err)
	}
	entries := []Entry{{Path: "data", Kind: File, Src: src}}
	const diffID = "sha256:5f562b0d3bbffe794eaffac650a2d47d40c39168d7db10aa83d8912bc29bb662"
	tests := []struct {
		c      Compression
		level  int
		digest string
	}{
		{c: Gzip, level: 1, digest: "sha256:b9d1a86668347f30eee13ec472d59c56057b139a5a18f140bcdcc70575cf508b"},
		{c: Gzip, level: 6, digest: "sha256:d3438cb1b0f33871ef74b6aa453ce85a56ab873fd894a258d1e04b5b6d8d3f9c"},
		{c: Zstd, level: 3, digest: "sha256:6677b4514447ce9d163c80f63a9e3e3349272faafd60e72edd79428e64eb9a60"},
	}
	for _, tc := range tests {
		for _, procs := range []int{1, 2, 8} {
			t.Run(fmt.Sprintf("%s-%d/GOMAXPROCS=%d", tc.c, tc.level, procs), func(t *testing.T) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				_, desc := build(t, entries, Options{Compression: tc.c, Level: tc.level, ModTime: epoch})
				got := struct{ Digest, DiffID string }{desc.Digest.String(), desc.DiffID.String()}
				want := struct{ Digest, DiffID string }{tc.digest, diffID}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("golden descriptor (-want +got):\n%s", diff)
				}
			})
		}
	}
}
