// Package sbom writes the SPDX 2.3 software bill of materials of an image from its declared inputs, not from a scan.
//
// Each layer action records what it wrote in a small Contents file (the
// package of a deb_layer with its version, source, license and .deb
// sha256; the path and sha256 of every regular file of other layers; the
// os-release if the layer writes one), computed in the same pass as the
// layer. Document joins the Contents of an image's layers, in image order,
// with the image's manifest digest into an SPDX document built with
// spdx/tools-golang's v2_3 model, and Write writes it with tools-golang's
// JSON writer. License turns a Debian machine-readable copyright file into
// an SPDX license expression.
package sbom
