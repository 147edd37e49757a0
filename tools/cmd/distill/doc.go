// Command distill is the helper binary of rules_distill: every Bazel action of the rules runs one of its subcommands.
package main
