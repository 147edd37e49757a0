// Package treegen writes the file trees the layer benchmarks compress: a copy of a seed
// directory (an unpacked JRE) topped up with deterministic generated files to a given size.
//
// The generated files come from a seeded PRNG, so every run and every machine gets the same
// bytes: by turns text-like (compresses about 3×), random (incompressible, like jars), text and
// sparse binary records (long zero runs, like object files); sizes spread from 1 KiB to 8 MiB.
package treegen
