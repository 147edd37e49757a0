// Package sbom is `distill sbom`: an image's descriptor and its layers' contents in, an SPDX 2.3 JSON SBOM out.
package sbom
