package sbom

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLicense(t *testing.T) {
	const format = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: x\n\n"
	tests := []struct {
		name, copyright, want string
	}{
		{"one license", format + "Files: *\nCopyright: 2020 A\nLicense: GPL-2+\n", "GPL-2.0-or-later"},
		{"GNU without +", format + "Files: *\nLicense: LGPL-2.1\n", "LGPL-2.1-only"},
		{"Expat is MIT", format + "Files: *\nLicense: Expat\n", "MIT"},
		{"case of BSD", format + "Files: *\nLicense: BSD-3-clause\n", "BSD-3-Clause"},
		{"several paragraphs sorted, repeats once", format +
			"Files: *\nLicense: GPL-2+\n\nFiles: lib/*\nLicense: Expat\n\nFiles: doc/*\nLicense: GPL-2+\n",
			"GPL-2.0-or-later AND MIT"},
		{"or inside a paragraph", format + "Files: *\nLicense: GPL-1+ or Artistic\n", "GPL-1.0-or-later OR Artistic-1.0-Perl"},
		{"compound expressions in parentheses", format + "Files: *\nLicense: Apache-2.0\n\nFiles: a/*\nLicense: GPL-2+ or MIT\n",
			"Apache-2.0 AND (GPL-2.0-or-later OR MIT)"},
		{"comma is and", format + "Files: *\nLicense: GPL-2, MIT\n", "GPL-2.0-only AND MIT"},
		{"known exception", format + "Files: *\nLicense: GPL-2+ with OpenSSL exception\n", "GPL-2.0-or-later WITH openvpn-openssl-exception"},
		{"unknown exception is a LicenseRef", format + "Files: *\nLicense: GPL-3+ with Foo exception\n", "LicenseRef-GPL-3-or-later-with-Foo-exception"},
		{"unknown name is a LicenseRef", format + "Files: *\nLicense: public-domain\n", "LicenseRef-public-domain"},
		{"non-GNU +", format + "Files: *\nLicense: MPL-1.1+\n", "MPL-1.1+"},
		{"header license counts", "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nLicense: Zlib\n\nFiles: *\nLicense: MIT\n", "MIT AND Zlib"},
		{"stand-alone license texts are not applied", format +
			"Files: *\nLicense: GPL-2+\n\nLicense: GPL-2+\n On Debian systems, see /usr/share/common-licenses/GPL-2.\n\nLicense: Expat\n Permission is hereby granted\n",
			"GPL-2.0-or-later"},
		{"license text after the short name is ignored", format + "Files: *\nLicense: ISC\n Permission to use, copy, modify\n .\n THE SOFTWARE IS PROVIDED\n", "ISC"},
		{"comments and CRLF", "# a comment\r\nFormat: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\r\n\r\nFiles: *\r\nLicense: Zlib\r\n", "Zlib"},
		{"old DEP-5 format URL", "Format-Specification: x\nFormat: http://dep.debian.net/deps/dep5\n\nFiles: *\nLicense: MIT\n", "MIT"},
		{"free-form file", "This package was debianized by A.\n\nCopyright: 2020 A\n\nLicense: GPL-2+\n", NoAssertion},
		{"empty file", "", NoAssertion},
		{"no license at all", format + "Files: *\nCopyright: A\n", NoAssertion},
		{"dangling operator", format + "Files: *\nLicense: GPL-2+ or\n", NoAssertion},
		{"unbalanced parenthesis", format + "Files: *\nLicense: (GPL-2+ or MIT\n", NoAssertion},
		{"parentheses kept", format + "Files: *\nLicense: Apache-2.0 and (BSD-3-clause or MIT)\n", "Apache-2.0 AND (BSD-3-Clause OR MIT)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, License([]byte(tt.copyright))); diff != "" {
				t.Errorf("License() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLicenseRefs(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{"MIT", nil},
		{"LicenseRef-b AND (LicenseRef-a OR MIT) AND LicenseRef-b", []string{"LicenseRef-a", "LicenseRef-b"}},
		{NoAssertion, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, LicenseRefs(tt.expr)); diff != "" {
			t.Errorf("LicenseRefs(%q) mismatch (-want +got):\n%s", tt.expr, diff)
		}
	}
}

func TestParseOSRelease(t *testing.T) {
	tests := []struct {
		name, data string
		want       *OSRelease
	}{
		{"distroless", "PRETTY_NAME=\"Distroless\"\nNAME=\"Debian GNU/Linux\"\nID=\"debian\"\nVERSION_ID=\"12\"\n", &OSRelease{ID: "debian", VersionID: "12"}},
		{"base-files", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n", &OSRelease{ID: "debian", VersionID: "12", VersionCodename: "bookworm"}},
		{"single quotes, comments, spaces", "# x\n  ID='debian'  \nVERSION_ID=13\n", &OSRelease{ID: "debian", VersionID: "13"}},
		{"no ID", "NAME=x\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ParseOSRelease([]byte(tt.data))); diff != "" {
				t.Errorf("ParseOSRelease() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
