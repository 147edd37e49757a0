// Package testimage builds small real images through the distill pipeline for tests.
package testimage
