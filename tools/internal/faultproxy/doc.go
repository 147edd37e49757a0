// Package faultproxy is a fault-injecting HTTP reverse proxy for tests: put it between a registry client and a real registry to answer error statuses, reset connections mid-body, and count every request.
//
// A schedule of Rules says which requests fail and how: "the 2nd blob PATCH
// is reset after 4096 bytes of its body reached the registry", "the first
// manifest PUT gets a 503", "every HEAD of a blob gets a 500". A reset is a
// real TCP RST (SO_LINGER 0) of the client's connection, and a fault after
// N body bytes forwards those bytes to the registry first, so the registry
// holds a truncated upload as it would after a real network failure.
// Every request is recorded with the blob digest it concerns (upload
// sessions are matched to the digest their final PUT names), so tests can
// count uploads per blob.
package faultproxy
