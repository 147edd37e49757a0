// Package diff is `distill diff`: two images in, what changed from the first to the second out (packages, files, config, layers), as tables or JSON; exit status 0, 1 or 2 as diff(1).
package diff
