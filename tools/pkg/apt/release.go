package apt

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"pault.ag/go/debian/control"
)

// maxInRelease bounds what is read of an InRelease file (Debian's are
// about 150 kB).
const maxInRelease = 64 << 20

// Release is a verified InRelease file of one suite of an archive.
type Release struct {
	// Archive is the archive name, e.g. "debian".
	Archive string
	// Suite is the suite asked for, the directory under dists/.
	Suite string
	// Mirror is the base URL that served the file; the indexes of the
	// Release are fetched from it first.
	Mirror string

	Codename string
	// Date is the Date field verbatim (what a lock records); Time is it
	// parsed.
	Date string
	Time time.Time
	// ValidUntil is the zero time when the Release has no Valid-Until.
	ValidUntil    time.Time
	Architectures []string
	Components    []string
	AcquireByHash bool
	// Files is the SHA256 list, by path relative to dists/<Suite>/.
	Files map[string]File
	// SignedBy lists the IDs (16 hex digits) of the keys whose signatures
	// verified.
	SignedBy []string
	// Fields holds every field of the Release verbatim.
	Fields control.Paragraph
}

// File is an entry of a Release's SHA256 list.
type File struct {
	Size   int64
	SHA256 string
}

func (r *Release) String() string { return r.Archive + "/" + r.Suite }

// Release fetches dists/<suite>/InRelease of archive from its mirrors,
// verifies its signature against the client's keyrings and checks and
// parses it (see the package documentation for what is refused).
func (c *Client) Release(ctx context.Context, archive, suite string) (*Release, error) {
	what := "InRelease " + archive + "/" + suite
	if !safePath(suite) {
		return nil, fmt.Errorf("%s: suite %q is not a directory name under dists/", what, suite)
	}
	urls, err := c.mirrorsOf(archive, "")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	f, err := c.get(ctx, what, urls, []string{"dists/" + suite + "/InRelease"}, maxInRelease)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	rel, err := c.parseInRelease(f.data, suite)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (from %s)", what, err, f.mirror)
	}
	rel.Archive, rel.Suite, rel.Mirror = archive, suite, f.mirror
	c.logf("fetched %s (verified: %s)", what, strings.Join(rel.SignedBy, ", "))
	return rel, nil
}

// parseInRelease verifies and parses an InRelease file served for suite.
func (c *Client) parseInRelease(data []byte, suite string) (*Release, error) {
	signed, keys, err := c.verify(data)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(signed, []byte("-----BEGIN PGP")) {
		return nil, errors.New("the signed text is itself an OpenPGP message")
	}
	pr, err := control.NewParagraphReader(bytes.NewReader(signed), nil)
	if err != nil {
		return nil, fmt.Errorf("parsing the Release: %w", flatError{err})
	}
	para, err := pr.Next()
	if err != nil {
		return nil, fmt.Errorf("parsing the Release: %w", flatError{err})
	}
	rel := &Release{SignedBy: keys, Fields: *para}
	v := para.Values
	rel.Codename = v["Codename"]
	if rel.Codename != suite && v["Suite"] != suite {
		return nil, fmt.Errorf("the Release is for suite %q (codename %q), not %q", v["Suite"], rel.Codename, suite)
	}
	rel.Date = v["Date"]
	if rel.Time, err = parseReleaseTime(rel.Date); err != nil {
		return nil, fmt.Errorf("the Release's Date: %w", err)
	}
	if until, ok := v["Valid-Until"]; ok {
		if rel.ValidUntil, err = parseReleaseTime(until); err != nil {
			return nil, fmt.Errorf("the Release's Valid-Until: %w", err)
		}
		if now := c.now(); c.checkValidUntil && now.After(rel.ValidUntil) {
			return nil, fmt.Errorf("the Release expired on %s (Valid-Until): the mirror serves stale metadata (a snapshot mirror needs the Valid-Until check turned off)", until)
		}
	}
	rel.Architectures = strings.Fields(v["Architectures"])
	rel.Components = strings.Fields(v["Components"])
	rel.AcquireByHash = v["Acquire-By-Hash"] == "yes"
	if rel.Files, err = parseSHA256List(v["SHA256"]); err != nil {
		return nil, err
	}
	return rel, nil
}

// verify checks the clearsigned data and returns the signed text and the
// IDs of the keys whose signatures verified. It needs at least one good
// signature by a key of the keyring that is neither expired nor revoked,
// and no bad signature by a key of the keyring; signatures by unknown,
// expired or revoked keys are otherwise ignored, as apt does, since
// Debian signs each Release with the keys of several releases.
func (c *Client) verify(data []byte) (signed []byte, keys []string, err error) {
	if !bytes.HasPrefix(data, []byte("-----BEGIN PGP SIGNED MESSAGE-----")) {
		return nil, nil, errors.New("not signed: not an OpenPGP clearsigned message")
	}
	b, rest := clearsign.Decode(data)
	if b == nil {
		return nil, nil, errors.New("malformed OpenPGP clearsigned message")
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, nil, errors.New("text after the signature")
	}
	sigData, err := io.ReadAll(b.ArmoredSignature.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the signature: %w", err)
	}
	var ids []uint64
	packets := packet.NewReader(bytes.NewReader(sigData))
	for {
		p, err := packets.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading the signature: %w", err)
		}
		sig, ok := p.(*packet.Signature)
		if !ok {
			return nil, nil, fmt.Errorf("reading the signature: %T packet in the signature block", p)
		}
		if sig.IssuerKeyId == nil {
			return nil, nil, errors.New("a signature names no key")
		}
		ids = append(ids, *sig.IssuerKeyId)
	}
	if len(ids) == 0 {
		return nil, nil, errors.New("not signed: empty signature block")
	}

	config := &packet.Config{Time: c.now}
	var rejected []string
	for _, id := range ids {
		if len(c.keyring.KeysByIdUsage(id, packet.KeyFlagSign)) == 0 {
			rejected = append(rejected, "signature by unknown key "+keyID(id))
			continue
		}
		_, _, err := openpgp.VerifyDetachedSignature(onlyKey{c.keyring, id}, bytes.NewReader(b.Bytes), bytes.NewReader(sigData), config)
		switch {
		case err == nil:
			keys = append(keys, keyID(id))
		case errors.Is(err, pgperrors.ErrKeyExpired):
			rejected = append(rejected, "signature by expired key "+keyID(id))
		case errors.Is(err, pgperrors.ErrSignatureExpired):
			rejected = append(rejected, "expired signature by key "+keyID(id))
		case errors.Is(err, pgperrors.ErrKeyRevoked):
			rejected = append(rejected, "signature by revoked key "+keyID(id))
		default:
			var bad pgperrors.SignatureError
			if errors.As(err, &bad) {
				return nil, nil, fmt.Errorf("bad signature by key %s (the file was changed after it was signed)", keyID(id))
			}
			return nil, nil, fmt.Errorf("signature by key %s cannot be verified: %v", keyID(id), err)
		}
	}
	if len(keys) == 0 {
		return nil, nil, errors.New(strings.Join(rejected, "; "))
	}
	return b.Plaintext, keys, nil
}

// parseReleaseTime parses the Date and Valid-Until fields, RFC 2822 dates
// like "Sat, 10 May 2025 09:00:00 UTC".
func parseReleaseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("missing")
	}
	for _, layout := range []string{time.RFC1123, time.RFC1123Z, "Mon, _2 Jan 2006 15:04:05 MST", "Mon, _2 Jan 2006 15:04:05 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date like \"Sat, 10 May 2025 09:00:00 UTC\"", s)
}

// parseSHA256List parses the SHA256 field: "<sha256> <size> <path>" lines.
func parseSHA256List(v string) (map[string]File, error) {
	if strings.TrimSpace(v) == "" {
		return nil, errors.New("the Release has no SHA256 list")
	}
	files := map[string]File{}
	for _, line := range strings.Split(v, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("the Release's SHA256 list: bad line %q", line)
		}
		size, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || size < 0 {
			return nil, fmt.Errorf("the Release's SHA256 list: bad size in %q", line)
		}
		if !isSHA256(f[0]) {
			return nil, fmt.Errorf("the Release's SHA256 list: bad sha256 in %q", line)
		}
		files[f[2]] = File{Size: size, SHA256: f[0]}
	}
	return files, nil
}

func isSHA256(s string) bool {
	if len(s) != 64 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// safePath reports whether p is a clean relative path that stays below
// its root.
func safePath(p string) bool {
	return p != "" && p == path.Clean(p) && !path.IsAbs(p) && p != ".." && !strings.HasPrefix(p, "../")
}
