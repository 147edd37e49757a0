package apt

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/ProtonMail/go-crypto/openpgp"
)

// DefaultKeyring is the Debian archive keyring of a Debian host (package
// debian-archive-keyring): it holds the keys that sign the InRelease files
// of every supported release and of its security archive.
const DefaultKeyring = "/usr/share/keyrings/debian-archive-keyring.gpg"

// ReadKeyrings reads OpenPGP public keys from files: binary keyrings
// (.gpg, as in /usr/share/keyrings) or ASCII-armored ones (.asc).
func ReadKeyrings(files ...string) (openpgp.EntityList, error) {
	if len(files) == 0 {
		return nil, errors.New("no keyring given: name the keyrings that sign the archives (" + DefaultKeyring + " on Debian)")
	}
	var all openpgp.EntityList
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading keyring: %w", err)
		}
		var el openpgp.EntityList
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN PGP")) {
			el, err = openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
		} else {
			el, err = openpgp.ReadKeyRing(bytes.NewReader(data))
		}
		if err == nil && len(el) == 0 {
			err = errors.New("no key in it")
		}
		if err != nil {
			return nil, fmt.Errorf("keyring %s: %w", f, err)
		}
		all = append(all, el...)
	}
	return all, nil
}

// keyID formats an OpenPGP key ID the way apt and gpg print long IDs.
func keyID(id uint64) string { return fmt.Sprintf("%016X", id) }

// onlyKey is a keyring that holds only the keys with one ID, so that each
// signature of a file can be verified on its own.
type onlyKey struct {
	openpgp.EntityList
	id uint64
}

func (k onlyKey) KeysById(id uint64) []openpgp.Key {
	if id != k.id {
		return nil
	}
	return k.EntityList.KeysById(id)
}

func (k onlyKey) KeysByIdUsage(id uint64, usage byte) []openpgp.Key {
	if id != k.id {
		return nil
	}
	return k.EntityList.KeysByIdUsage(id, usage)
}
