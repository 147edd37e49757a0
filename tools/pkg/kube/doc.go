// Package kube writes and checks the Kubernetes manifest of a distroless image: a hardened Deployment and its Service, with the image pinned by digest.
//
// Manifest builds the objects from the Kubernetes API types (k8s.io/api) and
// writes them as YAML documents whose keys are sorted, so the same Options
// always give the same bytes. Check parses a manifest back with the same
// types and lists every hardening setting a workload lacks.
package kube
