// Command chart draws the P1 chart of a bench/run.sh result: median wall time of each layer
// builder against the tree size, so the scaling shape is visible (docs/bench/p1.png).
//
//	chart --in bench/results/latest.json --out docs/bench/p1.png
package main
