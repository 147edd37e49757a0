// Package push is `distill push`: an OCI image layout in, an image in a registry out.
package push
