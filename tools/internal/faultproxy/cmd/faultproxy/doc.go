// Command faultproxy runs tools/internal/faultproxy in front of a registry for the end-to-end tests: it injects the faults of a schedule and writes the requests it saw as JSON when stopped.
//
//	faultproxy --upstream http://127.0.0.1:PORT --faults 'PATCH upload #1 after=4096 reset; PUT manifest 503' \
//	  --addr-file ADDR --records RECORDS.json
//
// It listens on a free port of 127.0.0.1, writes its HOST:PORT to
// --addr-file once listening, and on SIGINT or SIGTERM writes every request
// (method, kind, path, blob digest, status, fault, body bytes forwarded) to
// --records.
package main
