// Package cli holds what every distill subcommand shares: the Command type, strict flag parsing and usage errors.
package cli
