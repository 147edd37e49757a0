// Command docgen writes docs/rules.md, the reference of rules_distill's public Starlark API, or checks that it is up to date.
package main
