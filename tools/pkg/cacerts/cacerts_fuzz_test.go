package cacerts

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rules-distill/rules_distill/tools/internal/debtest"
	"github.com/rules-distill/rules_distill/tools/pkg/deb"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
)

// FuzzParse: a certificate file either holds exactly one certificate or
// is refused with one line naming it.
func FuzzParse(f *testing.F) {
	for _, p := range []string{ed25519PEM, p256PEM, rsaPEM, p256PEM + rsaPEM, "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n"} {
		f.Add([]byte(p))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parse("x/a.crt", data)
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.Contains(msg, "x/a.crt") {
				t.Errorf("error %q: not one line naming the file", msg)
			}
			return
		}
		if c.Cert == nil || !bytes.Equal(c.PEM, data) {
			t.Fatalf("accepted %q without its certificate", data)
		}
	})
}

// FuzzWrite turns an arbitrary package into the CA bundle layer (with
// the Java keystore): it either works or fails with one line.
func FuzzWrite(f *testing.F) {
	for _, c := range []deb.Compression{deb.None, deb.Xz} {
		f.Add(debtest.Package{Control: control, Data: caPackage, DataCompression: c}.Build(f))
	}
	f.Add(debtest.Package{Control: control, Data: append(caPackage[:len(caPackage):len(caPackage)], debtest.Hardlink("./usr/share/ca-certificates/extra/h.crt", "./usr/share/ca-certificates/mozilla/Test_Root_RSA.crt"))}.Build(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := deb.Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		var out bytes.Buffer
		desc, err := Write(&out, d, Options{Layer: layer.Options{Compression: layer.None}, Keystore: true})
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		if desc.Size != int64(out.Len()) {
			t.Fatalf("descriptor size %d, %d bytes written", desc.Size, out.Len())
		}
	})
}
