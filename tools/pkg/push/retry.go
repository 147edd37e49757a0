package push

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/logs"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// uploadJobs is how many blobs are uploaded at once.
const uploadJobs = 4

// once makes go-containerregistry try each request once: writeImage retries
// whole steps itself, so that attempts are bounded, counted and reported.
var once = remote.Backoff{Duration: time.Millisecond, Steps: 1}

// writeImage uploads the blobs of img the registry lacks (a HEAD first for
// each), and only once all of them are there puts its manifest as each of
// refs. Each blob and each manifest put is retried on transient failures
// (connection resets, 408, 429, 5xx) per backoff; the first one that fails
// for good stops the others, and no manifest is put. ropts are the
// go-containerregistry options of the push.
func writeImage(ctx context.Context, img v1.Image, refs []name.Reference, ropts []remote.Option, backoff remote.Backoff) error {
	if len(refs) == 0 {
		return errors.New("no reference to push to")
	}
	repo := refs[0].Context()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pusher, err := newPusher(ctx, ropts)
	if err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return fmt.Errorf("reading the image's layers: %w", err)
	}
	config, err := partial.ConfigLayer(img)
	if err != nil {
		return fmt.Errorf("reading the image's config: %w", err)
	}
	blobs := append(layers, config)

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		jobs     = make(chan struct{}, uploadJobs)
	)
	for _, blob := range blobs {
		digest, err := blob.Digest()
		if err != nil {
			return err
		}
		size, err := blob.Size()
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			jobs <- struct{}{}
			defer func() { <-jobs }()
			if ctx.Err() != nil {
				return // another blob failed
			}
			what := fmt.Sprintf("uploading blob %s (%d bytes)", digest, size)
			err := retry(ctx, backoff, what, func() error { return pusher.Upload(ctx, repo, blob) })
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return putManifest(ctx, pusher, img, refs, backoff)
}

// newPusher is a go-containerregistry pusher with ropts that tries each
// request once: retry retries whole steps, so that attempts are bounded,
// counted and reported.
func newPusher(ctx context.Context, ropts []remote.Option) (*remote.Pusher, error) {
	return remote.NewPusher(append(append([]remote.Option(nil), ropts...), remote.WithContext(ctx), remote.WithRetryBackoff(once))...)
}

// putManifest puts the manifest of t (an image or an index whose blobs and
// children are in the registry) as each of refs, each put retried.
func putManifest(ctx context.Context, pusher *remote.Pusher, t remote.Taggable, refs []name.Reference, backoff remote.Backoff) error {
	for _, ref := range refs {
		what := fmt.Sprintf("putting the manifest as %s", ref)
		if err := retry(ctx, backoff, what, func() error { return pusher.Put(ctx, ref, t) }); err != nil {
			return err
		}
	}
	return nil
}

// retry runs f until it succeeds, fails for good (not transient, or the
// context is done) or has been tried backoff.Steps times, waiting
// backoff.Step() between attempts. Retries are logged to logs.Warn.
func retry(ctx context.Context, backoff remote.Backoff, what string, f func() error) error {
	steps := max(backoff.Steps, 1)
	start := time.Now()
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return &attemptsError{what: what, attempts: attempt, elapsed: time.Since(start), err: err, cause: ctx.Err()}
		}
		if !transient(err) || attempt == steps {
			return &attemptsError{what: what, attempts: attempt, elapsed: time.Since(start), err: err, exhausted: transient(err)}
		}
		delay := backoff.Step()
		logs.Warn.Printf("%s: attempt %d of %d failed, retrying in %s: %s", what, attempt, steps, delay.Round(time.Millisecond), oneLine(err.Error()))
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return &attemptsError{what: what, attempts: attempt, elapsed: time.Since(start), err: err, cause: ctx.Err()}
		case <-t.C:
		}
	}
}

// attemptsError is a step that failed for good, and how hard it was tried.
type attemptsError struct {
	what      string
	attempts  int
	elapsed   time.Duration
	err       error // the last attempt's
	cause     error // the context's error, when it ended the retries
	exhausted bool  // every attempt failed transiently
}

func (e *attemptsError) Error() string {
	var why string
	switch {
	case e.cause != nil:
		why = fmt.Sprintf("stopped (%v) after %d %s", e.cause, e.attempts, plural(e.attempts, "attempt"))
	case e.exhausted:
		why = fmt.Sprintf("gave up after %d %s in %s", e.attempts, plural(e.attempts, "attempt"), e.elapsed.Round(time.Millisecond))
	default:
		why = fmt.Sprintf("failed (not retried: not a transient error) at attempt %d", e.attempts)
	}
	// One line, whatever the registry put in its error body.
	return fmt.Sprintf("%s: %s: %s", e.what, why, oneLine(e.err.Error()))
}

func (e *attemptsError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.err, e.cause}
	}
	return []error{e.err}
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// retryStatus are the statuses a registry may answer once and not again.
var retryStatus = map[int]bool{
	http.StatusRequestTimeout:      true,
	http.StatusTooManyRequests:     true,
	http.StatusInternalServerError: true,
	http.StatusBadGateway:          true,
	http.StatusServiceUnavailable:  true,
	http.StatusGatewayTimeout:      true,
}

// transient reports whether err may go away when the request is made
// again: a broken or refused connection, a timeout, or a registry
// answering 408, 429 or 5xx (or an error code it marks temporary).
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var terr *transport.Error
	if errors.As(err, &terr) {
		return retryStatus[terr.StatusCode] || terr.Temporary()
	}
	for _, e := range []error{io.EOF, io.ErrUnexpectedEOF, syscall.ECONNRESET, syscall.ECONNREFUSED, syscall.ECONNABORTED, syscall.EPIPE, net.ErrClosed} {
		if errors.Is(err, e) {
			return true
		}
	}
	var nerr net.Error
	return errors.As(err, &nerr) && nerr.Timeout()
}
