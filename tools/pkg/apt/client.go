package apt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
)

// Client fetches and verifies files of Debian archives. Build it with
// NewClient; it is safe for concurrent use.
type Client struct {
	mirrors         Mirrors
	keyring         openpgp.EntityList
	http            *http.Client
	cache           string
	now             func() time.Time
	checkValidUntil bool
	attempts        int
	backoff         time.Duration

	mu       sync.Mutex // guards progress
	progress io.Writer
}

// Option configures a Client.
type Option func(*Client)

// WithCache keeps verified Packages indexes under dir/sha256/<sha256>
// (uncompressed when the Release lists the uncompressed file's sha256) and
// reads them from there, checked again, when a Release lists the same file.
// InRelease files are never cached.
func WithCache(dir string) Option { return func(c *Client) { c.cache = dir } }

// WithProgress writes one line per fetched file, retry and mirror switch
// to w (distill writes them to stderr). The default discards them.
func WithProgress(w io.Writer) Option { return func(c *Client) { c.progress = w } }

// WithHTTPClient fetches through hc instead of a client whose transport
// gives up on a server that does not answer within a minute.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.http = hc } }

// WithNow sets the clock used for Valid-Until and for the expiry and
// revocation of keys (default time.Now).
func WithNow(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// WithCheckValidUntil(false) accepts a Release whose Valid-Until is past.
// The check (on by default, as in apt) refuses mirrors that serve stale
// metadata, which is how a replayed, once-valid Release would look; turn it
// off for snapshot mirrors that serve old Releases on purpose, like apt's
// check-valid-until=no. Signatures are verified either way.
func WithCheckValidUntil(check bool) Option {
	return func(c *Client) { c.checkValidUntil = check }
}

// WithRetries sets how often a request is tried on one mirror before the
// next mirror is tried (default 3) and the first pause between tries,
// doubled after each (default 1s). Only network errors and 408, 429 and 5xx
// answers are retried.
func WithRetries(attempts int, backoff time.Duration) Option {
	return func(c *Client) { c.attempts, c.backoff = max(attempts, 1), backoff }
}

// NewClient returns a client for the archives of m that trusts the keys of
// the keyrings (binary .gpg or armored .asc files).
func NewClient(m Mirrors, keyrings []string, opts ...Option) (*Client, error) {
	keyring, err := ReadKeyrings(keyrings...)
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.ResponseHeaderTimeout = time.Minute
	c := &Client{
		mirrors:         m,
		keyring:         keyring,
		http:            &http.Client{Transport: transport},
		now:             time.Now,
		checkValidUntil: true,
		attempts:        3,
		backoff:         time.Second,
		progress:        io.Discard,
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

func (c *Client) logf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.progress, format+"\n", args...)
}

// mirrorsOf returns the base URLs of archive, first the one given (the
// mirror a Release came from), then the others in order.
func (c *Client) mirrorsOf(archive, first string) ([]string, error) {
	urls := c.mirrors[archive]
	if len(urls) == 0 {
		var names []string
		for n := range c.mirrors {
			names = append(names, n)
		}
		sort.Strings(names)
		known := "none"
		if len(names) > 0 {
			known = strings.Join(names, ", ")
		}
		return nil, fmt.Errorf("no mirror for archive %q (mirrors known for: %s): pass --mirror %s=URL or set %s, or add it to the apt sources", archive, known, archive, EnvMirrors)
	}
	if first == "" {
		return urls, nil
	}
	ordered := []string{first}
	for _, u := range urls {
		if u != first {
			ordered = append(ordered, u)
		}
	}
	return ordered, nil
}

// errNotFound is what every mirror said when none of them has a file.
var errNotFound = errors.New("not found on any mirror")

// fetched is a file as one mirror served it.
type fetched struct {
	data   []byte
	mirror string // base URL
	path   string // the path under it that answered
}

// get fetches the first of paths (relative to a base URL, tried in order on
// each mirror) that a mirror of urls serves, reading at most limit bytes.
// A mirror is left for the next on network errors, 5xx and 404 answers,
// after retries for the transient ones. When every mirror answered 404 for
// every path, the error wraps errNotFound.
func (c *Client) get(ctx context.Context, what string, urls []string, paths []string, limit int64) (*fetched, error) {
	var failures []string
	allNotFound := true
	for i, base := range urls {
		for _, p := range paths {
			data, status, err := c.getWithRetries(ctx, base+"/"+p, limit)
			if err == nil {
				return &fetched{data: data, mirror: base, path: p}, nil
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var tooBig *tooBigError
			if errors.As(err, &tooBig) {
				return nil, fmt.Errorf("%s from %s: %w", p, base, err)
			}
			if status != http.StatusNotFound {
				allNotFound = false
			}
			failures = append(failures, err.Error())
			if status != http.StatusNotFound {
				break // the mirror is unwell: do not ask it for the other paths
			}
		}
		if i+1 < len(urls) {
			c.logf("%s: mirror %s failed (%s): trying %s", what, base, failures[len(failures)-1], urls[i+1])
		}
	}
	if allNotFound {
		return nil, fmt.Errorf("%w (%s)", errNotFound, strings.Join(failures, "; "))
	}
	return nil, errors.New(strings.Join(failures, "; "))
}

// getWithRetries GETs url, retrying network errors and 408, 429 and 5xx
// answers with backoff. It returns the status of the last answer (0 for a
// network error).
func (c *Client) getWithRetries(ctx context.Context, url string, limit int64) ([]byte, int, error) {
	wait := c.backoff
	for attempt := 1; ; attempt++ {
		data, status, err := c.getOnce(ctx, url, limit)
		if err == nil || attempt >= c.attempts || ctx.Err() != nil || !transient(status, err) {
			return data, status, err
		}
		c.logf("GET %s: %v: retrying in %s", url, err, wait)
		select {
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func transient(status int, err error) bool {
	var tooBig *tooBigError
	if errors.As(err, &tooBig) {
		return false
	}
	return status == 0 || status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

type tooBigError struct{ limit int64 }

func (e *tooBigError) Error() string { return fmt.Sprintf("larger than %d bytes", e.limit) }

func (c *Client) getOnce(ctx context.Context, url string, limit int64) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, err
	}
	// Files are verified as served: no transparent decompression.
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("GET %s: %w", url, unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil, resp.StatusCode, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if resp.ContentLength > limit {
		return nil, resp.StatusCode, &tooBigError{limit}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, 0, fmt.Errorf("GET %s: reading the answer: %w", url, err)
	}
	if int64(len(data)) > limit {
		return nil, resp.StatusCode, &tooBigError{limit}
	}
	return data, resp.StatusCode, nil
}

// unwrapURLError drops the `Get "URL": ` prefix that *url.Error adds, as
// the caller names the URL itself.
func unwrapURLError(err error) error {
	var ue *neturl.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
