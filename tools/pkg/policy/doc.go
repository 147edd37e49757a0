// Package policy checks a built image against the distroless hardening policy and against structure assertions, reading the image itself: no container runtime.
//
// ReadFS decompresses each layer once and flattens them (tools/pkg/imagefs) into an FS (later
// layers win, OCI whiteouts and opaque directories applied), keeping only
// modes, owners, link targets, what the dynamic loader reads from ELF files
// and the first bytes of executables; file contents only for the paths a
// Spec asserts on, /etc/passwd and /etc/ld.so.cache.
//
// Check applies the rules (Rules): no shell, package manager or busybox;
// a numeric non-root user (Options.Nonroot); no setuid or setgid file; no
// world-writable path but a sticky /tmp; an exec-form entrypoint whose
// program is in the image and executable by the image's user; every
// dynamic executable's interpreter and DT_NEEDED libraries present. Each
// rule can be waived with a reason; a waiver that accepts nothing is a
// finding. Spec.Evaluate checks the assertions of a Spec (files exist or
// are absent, kind, mode, owner, content, and config values). Each finding
// is one line: rule, path, what is wrong, how to fix it.
package policy
