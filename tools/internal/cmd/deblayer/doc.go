// Package deblayer is `distill deb-layer`: a Debian package in, layer blob and descriptor out.
package deblayer
