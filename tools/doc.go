// Package tools is the root of the distill helper's Go tree.
package tools
