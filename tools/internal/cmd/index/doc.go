// Package index is `distill index`: per-platform image layouts in, an OCI image index layout out; or such a layout in, an OCI archive out.
package index
