// Package mirrors is `distill mirrors`: the mirror map of the Debian archives, from flags, DISTILL_DEBIAN_MIRRORS and the host's apt sources, as JSON.
package mirrors
