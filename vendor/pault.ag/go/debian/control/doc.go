/*
Parse the Debian control file format.
*/
package control // import "pault.ag/go/debian/control"
