// Package check is `distill check`: the hardening policy and the structure
// assertions (tools/pkg/policy) applied to the image of an OCI layout, for
// the image_test rule.
package check
