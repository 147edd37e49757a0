// Package atomicfile writes files and directories under a temporary name and renames them into place, so a failure leaves no output behind.
package atomicfile
