// Package debtest builds small Debian packages (.deb) in memory for tests: ar, tar and each compression a .deb member may use.
package debtest
