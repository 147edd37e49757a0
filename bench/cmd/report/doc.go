// Command report turns the measurements bench/run.sh recorded (a TSV of bench, case, size,
// metric, value) into medians, the ratios the performance targets are about, a short table on
// stdout and a JSON result (bench/results/latest.json).
//
//	report --in measurements.tsv --meta meta.tsv --out bench/results/latest.json
//
// It fails when a measurement is malformed or a case a target needs is missing; a missed
// performance target is reported ("MISSED"), not an error: the benchmarks are not timed tests.
package main
