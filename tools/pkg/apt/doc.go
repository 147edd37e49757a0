// Package apt is the Debian archive client of `distill lock`: it finds the mirrors, fetches and verifies InRelease files, and reads the Packages indexes they vouch for.
//
// Mirrors are configuration, never data: ResolveMirrors builds the map from
// archive names ("debian", "debian-security") to base URLs out of --mirror
// flags, the DISTILL_DEBIAN_MIRRORS environment variable and the host's apt
// sources, in that order of priority (the first of them that names an
// archive gives all of its URLs).
//
// Client.Release fetches dists/<suite>/InRelease and trusts it only when one
// of its OpenPGP signatures verifies against the keyrings with a key that is
// neither expired nor revoked, no signature by a known key is bad, nothing
// lies outside the signed text, the Release names the suite that was asked
// for (Codename or Suite), and its Valid-Until, when present, is not past
// (WithCheckValidUntil(false) accepts stale Releases, as snapshot mirrors
// serve them). Client.Packages fetches an index the Release lists
// (Packages.xz, else .gz, else plain; by-hash when the Release offers it),
// checks its size and sha256 against the Release before decompressing it,
// and parses its paragraphs into Candidates.
//
// Each archive's mirrors are tried in order on network errors, 5xx answers
// and 404s; transient failures are retried on the same mirror with backoff
// first. A mirror whose content fails verification (a bad signature, a
// checksum mismatch) stops the operation with an error naming the archive,
// the file and the mirror: falling through to the next mirror would hide an
// attack or a broken mirror, and the next mirror, at another point of its
// sync, would give a different lock.
//
// With WithCache, verified Packages indexes are kept by sha256 (the
// uncompressed file when the Release lists its sha256, as Debian's do,
// since decompressing xz costs more than reading 50 MB) so that the next
// lock of the same archive state reads them from disk; InRelease files are
// always fetched again. A Client is safe for concurrent use.
package apt
