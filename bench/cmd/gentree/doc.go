// Command gentree writes the file tree the layer benchmarks compress (see package treegen) and
// its ENTRIES.json for `distill layer`.
//
//	gentree --size-mb 500 --seed /usr/lib/jvm/default-java --out TREE --entries ENTRIES.json
package main
