// Package debbuild writes the BUILD file of a debian_packages repository:
// one deb_layer per package and layer_groups for each package's closure and
// each architecture's whole set, formatted canonically by buildtools.
package debbuild
