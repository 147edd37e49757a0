// Command gen writes the bad-input corpus of rules_distill (see
// testdata/README.md) into a directory, deterministically: the same bytes on
// every run and every machine. With -serve it serves a directory over HTTP
// on 127.0.0.1 instead (the test archives for `distill lock` and Bazel).
//
//	go run ./testdata/gen -out DIR
//	go run ./testdata/gen -serve DIR -port-file FILE
package main
