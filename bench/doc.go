// Package bench holds rules_distill's performance benchmarks: the Go benchmarks of the layer
// writer (go test -bench . ./bench) and, under cmd/, the tools of bench/run.sh, which times
// distill side by side with the shell pipeline, crane and umoci (see README.md).
package bench
