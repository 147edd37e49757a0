// Package kubernetes is `distill kubernetes`: an image digest in, a hardened Deployment and Service manifest out; or a manifest in, its missing hardening settings out.
package kubernetes
