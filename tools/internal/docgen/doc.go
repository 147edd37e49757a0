// Package docgen writes Markdown reference documentation for the rules, macros and providers a .bzl file exports.
package docgen
