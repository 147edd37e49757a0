package cacerts

import (
	"archive/tar"
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	keystore "github.com/pavlo-v-chernykh/keystore-go/v4"

	"github.com/rules-distill/rules_distill/tools/pkg/deb"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
)

// Paths and modes of the layer.
const (
	// CertsDir holds the package's certificates, below subdirectories
	// (mozilla/).
	CertsDir = "usr/share/ca-certificates"
	// BundlePath is the PEM bundle; SSL_CERT_FILE points to it.
	BundlePath = "etc/ssl/certs/ca-certificates.crt"
	// BundleMode is the bundle's mode in distroless images (Debian's
	// update-ca-certificates makes it 0644).
	BundleMode = 0o555
	// KeystorePath is the Java keystore of Debian's ca-certificates-java.
	KeystorePath = "etc/ssl/certs/java/cacerts"
	// KeystoreMode is the keystore's mode, as Debian's.
	KeystoreMode = 0o644
	// KeystorePassword is the store password of Java's and Debian's cacerts.
	KeystorePassword = "changeit"
	// MaxFile is the largest certificate or copyright file Read accepts:
	// they are held in memory.
	MaxFile = 1 << 20
)

// Cert is one certificate file of the package.
type Cert struct {
	// Name is the file's path below CertsDir, e.g. "mozilla/ISRG_Root_X1.crt".
	Name string
	// PEM is the file's content, verbatim.
	PEM []byte
	// Cert is the parsed certificate.
	Cert *x509.Certificate
}

// Package is what a ca-certificates package holds for the layer.
type Package struct {
	// Name is the package's name.
	Name string
	// Certs are the certificates, sorted by Name in byte order.
	Certs []Cert
	// Copyright is usr/share/doc/<Name>/copyright, or nil when the package
	// has none (or only a symlink there).
	Copyright []byte
	// CopyrightMode, CopyrightUID and CopyrightGID are the copyright
	// file's permission bits and owner in the package.
	CopyrightMode, CopyrightUID, CopyrightGID int64
}

// file is a regular file of data.tar that Read keeps, or a hardlink to one.
type file struct {
	name           string // normalized data.tar name
	link           string // for a hardlink: the normalized name of its target
	data           []byte
	mode, uid, gid int64
}

// Read reads the certificates and the copyright file of package d.
// Errors name the file at fault; the caller adds the package.
func Read(d *deb.Deb) (*Package, error) {
	copyright := "usr/share/doc/" + d.Name + "/copyright"
	want := func(name string) bool {
		return name == copyright || strings.HasPrefix(name, CertsDir+"/") && strings.HasSuffix(name, ".crt")
	}
	files, err := collect(d, want)
	if err != nil {
		return nil, err
	}
	p := &Package{Name: d.Name}
	for _, f := range files {
		if f.name == copyright {
			p.Copyright, p.CopyrightMode, p.CopyrightUID, p.CopyrightGID = f.data, f.mode, f.uid, f.gid
			continue
		}
		c, err := parse(strings.TrimPrefix(f.name, CertsDir+"/"), f.data)
		if err != nil {
			return nil, err
		}
		p.Certs = append(p.Certs, c)
	}
	if len(p.Certs) == 0 {
		return nil, fmt.Errorf("no certificates (regular files *.crt) below %s/: is this the ca-certificates package?", CertsDir)
	}
	slices.SortFunc(p.Certs, func(a, b Cert) int { return strings.Compare(a.Name, b.Name) })
	return p, nil
}

// collect returns the regular files of data.tar, and hardlinks to regular
// files, whose normalized names want accepts, with their contents. The
// content of a hardlink whose target want does not accept comes from a
// second pass over data.tar, only in that case.
func collect(d *deb.Deb, want func(string) bool) ([]*file, error) {
	dr, err := d.Data()
	if err != nil {
		return nil, err
	}
	defer dr.Close()
	var files []*file
	kept := map[string]bool{}
	regular := map[string]*file{} // every regular file: name → kept copy (data only if wanted)
	var missing []*file           // hardlinks whose target's content was not kept
	for {
		h, err := dr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(h.Name, "./")
		if want(name) && (h.Typeflag == tar.TypeReg || h.Typeflag == '\x00' || h.Typeflag == tar.TypeLink) {
			if kept[name] {
				return nil, fmt.Errorf("%s: twice in data.tar", name)
			}
			kept[name] = true
		}
		switch h.Typeflag {
		case tar.TypeReg, '\x00':
			f := &file{name: name, mode: h.Mode & 0o7777, uid: int64(h.Uid), gid: int64(h.Gid)}
			regular[name] = f
			if !want(name) {
				continue
			}
			if err := checkName(name); err != nil {
				return nil, err
			}
			if f.data, err = readFile(name, h.Size, dr); err != nil {
				return nil, err
			}
			files = append(files, f)
		case tar.TypeLink:
			if !want(name) {
				continue
			}
			if err := checkName(name); err != nil {
				return nil, err
			}
			target := strings.TrimPrefix(h.Linkname, "./")
			src, ok := regular[target]
			if !ok {
				return nil, fmt.Errorf("%s: hardlink to %q, which is not an earlier regular file of the package", name, h.Linkname)
			}
			f := &file{name: name, link: target, data: src.data, mode: src.mode, uid: src.uid, gid: src.gid}
			if !want(target) {
				missing = append(missing, f)
			}
			files = append(files, f)
		}
	}
	if len(missing) == 0 {
		return files, nil
	}
	return files, fill(d, missing)
}

// fill reads the contents of the hardlinks' targets in a new pass.
func fill(d *deb.Deb, links []*file) error {
	dr, err := d.Data()
	if err != nil {
		return err
	}
	defer dr.Close()
	for {
		h, err := dr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(h.Name, "./")
		if h.Typeflag != tar.TypeReg && h.Typeflag != '\x00' {
			continue
		}
		var data []byte
		for _, l := range links {
			if l.link != name || l.data != nil {
				continue
			}
			if data == nil {
				if data, err = readFile(name, h.Size, dr); err != nil {
					return err
				}
			}
			l.data = data
		}
	}
	for _, l := range links {
		if l.data == nil {
			return fmt.Errorf("%s: hardlink target %q not found again in data.tar", l.name, l.link)
		}
	}
	return nil
}

func readFile(name string, size int64, r io.Reader) ([]byte, error) {
	if size > MaxFile {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d accepted", name, size, MaxFile)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("%s: reading: %w", name, err)
	}
	return b, nil
}

// checkName refuses names that are not clean relative paths, and names of
// certificates that Debian's maintainer scripts would mangle: they split
// the list of certificates at white space and commas, read it with `read`
// (which eats backslashes) and leave it unquoted (globs expand).
func checkName(name string) error {
	if strings.HasPrefix(name, "/") || path.Clean(name) != name {
		return fmt.Errorf("%q: not a clean relative path", name)
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("%q: not valid UTF-8", name)
	}
	if !strings.HasPrefix(name, CertsDir+"/") {
		return nil
	}
	for _, r := range name {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(",\\*?[", r) {
			return fmt.Errorf("%q: certificate name with %q, which Debian's maintainer scripts do not handle", name, r)
		}
	}
	return nil
}

// parse checks that data, the file name below CertsDir, holds exactly one
// PEM CERTIFICATE block that parses, and nothing else.
func parse(name string, data []byte) (Cert, error) {
	c := Cert{Name: name, PEM: data}
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			return Cert{}, fmt.Errorf("%s/%s: PEM block %q, want only CERTIFICATE", CertsDir, name, b.Type)
		}
		if c.Cert != nil {
			return Cert{}, fmt.Errorf("%s/%s: more than one certificate, want one per file", CertsDir, name)
		}
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return Cert{}, fmt.Errorf("%s/%s: certificate does not parse: %w", CertsDir, name, err)
		}
		c.Cert = cert
	}
	if c.Cert == nil {
		return Cert{}, fmt.Errorf("%s/%s: no PEM CERTIFICATE block", CertsDir, name)
	}
	return c, nil
}

// Bundle returns ca-certificates.crt: the certificates in order, each
// followed by a newline when it does not end with one.
func Bundle(certs []Cert) []byte {
	var buf bytes.Buffer
	for _, c := range certs {
		buf.Write(c.PEM)
		if len(c.PEM) > 0 && c.PEM[len(c.PEM)-1] != '\n' {
			buf.WriteByte('\n')
		}
	}
	return buf.Bytes()
}

// Alias returns the keystore alias Debian gives the certificate name (a
// path below CertsDir): update-ca-certificates links it as
// /etc/ssl/certs/<base name without .crt, "(" and ")" made "=">.pem,
// ca-certificates-java imports that as "debian:<link name>", and JKS
// lowercases aliases (Java's String.toLowerCase(Locale.ENGLISH)). Names
// whose lowercase Go and Java spell differently (U+0130, a capital sigma)
// or that the JKS format cannot hold as Go writes it (characters beyond
// U+FFFF) are errors.
func Alias(name string) (string, error) {
	base := path.Base(name)
	if base != ".crt" {
		base = strings.TrimSuffix(base, ".crt")
	}
	base = strings.NewReplacer(" ", "_", "(", "=", ")", "=", ",", "_").Replace(base)
	for _, r := range base {
		switch {
		case r == '\u0130' || r == '\u03a3':
			return "", fmt.Errorf("certificate %s: %q lowercases differently in Java", name, r)
		case r > 0xffff || r == 0:
			return "", fmt.Errorf("certificate %s: %q cannot be written in a JKS alias", name, r)
		}
	}
	return strings.ToLower("debian:" + base + ".pem"), nil
}

// WriteKeystore writes the JKS keystore of certs to w: store password
// KeystorePassword, one trusted certificate entry per certificate under
// its Alias, sorted by alias, every creation date created. Two
// certificates with the same alias are an error naming both.
func WriteKeystore(w io.Writer, certs []Cert, created time.Time) error {
	ks := keystore.New(keystore.WithOrderedAliases(), keystore.WithCaseExactAliases())
	owner := map[string]string{}
	for _, c := range certs {
		alias, err := Alias(c.Name)
		if err != nil {
			return err
		}
		if prev, ok := owner[alias]; ok {
			return fmt.Errorf("certificates %s and %s both get the Java alias %q", prev, c.Name, alias)
		}
		owner[alias] = c.Name
		entry := keystore.TrustedCertificateEntry{
			CreationTime: created,
			Certificate:  keystore.Certificate{Type: "X.509", Content: c.Cert.Raw},
		}
		if err := ks.SetTrustedCertificateEntry(alias, entry); err != nil {
			return fmt.Errorf("certificate %s: %w", c.Name, err)
		}
	}
	if err := ks.Store(w, []byte(KeystorePassword)); err != nil {
		return fmt.Errorf("writing the Java keystore: %w", err)
	}
	return nil
}

// Options say what goes into the layer.
type Options struct {
	// Layer fixes compression, level and mtime; the mtime is also the
	// creation date of every keystore entry.
	Layer layer.Options
	// Keystore adds KeystorePath, the Java keystore.
	Keystore bool
}

// Write writes the layer of the ca-certificates package d to w and returns
// its descriptor: BundlePath (BundleMode, 0:0), with Options.Keystore
// KeystorePath (KeystoreMode, 0:0), and usr/share/doc/<pkg>/copyright as
// in the package when it has one; parent directories 0755 0:0. Errors
// start with the package name; w may hold part of a layer after one.
func Write(w io.Writer, d *deb.Deb, opts Options) (descriptor.Layer, error) {
	desc, err := write(w, d, opts)
	if err != nil {
		return descriptor.Layer{}, fmt.Errorf("%s: %w", d.Name, err)
	}
	return desc, nil
}

func write(w io.Writer, d *deb.Deb, opts Options) (descriptor.Layer, error) {
	p, err := Read(d)
	if err != nil {
		return descriptor.Layer{}, err
	}
	type entry struct {
		h    layer.Header
		data []byte
	}
	bundle := Bundle(p.Certs)
	entries := []entry{{layer.Header{Path: BundlePath, Kind: layer.File, Mode: BundleMode}, bundle}}
	if opts.Keystore {
		var ks bytes.Buffer
		if err := WriteKeystore(&ks, p.Certs, opts.Layer.ModTime); err != nil {
			return descriptor.Layer{}, err
		}
		entries = append(entries, entry{layer.Header{Path: KeystorePath, Kind: layer.File, Mode: KeystoreMode}, ks.Bytes()})
	}
	if p.Copyright != nil {
		h := layer.Header{Path: "usr/share/doc/" + p.Name + "/copyright", Kind: layer.File, Mode: p.CopyrightMode, UID: p.CopyrightUID, GID: p.CopyrightGID}
		entries = append(entries, entry{h, p.Copyright})
	}
	// The paths above are in byte order already; Stream keeps that order.
	s, err := layer.NewStream(w, opts.Layer)
	if err != nil {
		return descriptor.Layer{}, err
	}
	for _, e := range entries {
		e.h.Size = int64(len(e.data))
		if err := s.Add(e.h, bytes.NewReader(e.data)); err != nil {
			s.Close()
			return descriptor.Layer{}, err
		}
	}
	return s.Close()
}
