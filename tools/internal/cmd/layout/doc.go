// Package layout is `distill layout`: a built image in, an OCI image layout directory out.
package layout
