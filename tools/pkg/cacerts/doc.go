// Package cacerts turns Debian's ca-certificates package into the layer of trusted CAs that distroless images carry: the PEM bundle and, for Java, a JKS keystore.
//
// Read collects the certificates the package ships: every regular file (or
// hardlink to one) named *.crt below usr/share/ca-certificates/, as the
// package's maintainer scripts find them (`find -type f`: symlinks are not
// certificates), each parsed with crypto/x509; a file that is not exactly
// one PEM CERTIFICATE block that parses is refused, naming the file. Names
// that Debian's maintainer scripts would mangle (white space, commas,
// backslashes, glob characters, control characters, invalid UTF-8) are
// refused too rather than guessed at.
//
// Bundle concatenates the certificates exactly as update-ca-certificates
// writes /etc/ssl/certs/ca-certificates.crt on a fresh installation: in
// the order of /etc/ca-certificates.conf, which the postinst writes from
// the sorted (C locale, that is byte order) list of the package's
// certificates, each file verbatim followed by a newline when its last
// line lacks one (`sed -e '$a\'`).
//
// WriteKeystore writes /etc/ssl/certs/java/cacerts as Debian's
// ca-certificates-java does: a JKS keystore (github.com/pavlo-v-chernykh/
// keystore-go) with store password "changeit" and one trustedCertEntry per
// certificate, under the alias Debian gives it (see Alias), but
// deterministically: entries sorted by alias and every creation date the
// same (SOURCE_DATE_EPOCH), where Java writes them in hash order with the
// time of the import.
//
// Write puts both, and the package's copyright file, into one layer.
package cacerts
