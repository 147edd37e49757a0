// Command server is the Go example of rules_distill: a tiny HTTP service for a distroless image.
//
// GET / answers "Hello World!". The port is 8080 unless the PORT environment variable says
// otherwise. Each request is logged to stdout as `"GET / HTTP/1.1" 200`, so `podman logs` or
// `kubectl logs` still show the traffic of a container that has no shell. SIGTERM and SIGINT
// stop the server gracefully, letting requests in flight finish.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

const (
	defaultPort     = "8080"
	shutdownTimeout = 10 * time.Second
)

func main() {
	logger := log.New(os.Stdout, "", log.LstdFlags)
	if err := run(logger); err != nil {
		logger.Printf("server: %v", err)
		os.Exit(1)
	}
}

// run serves until SIGTERM or SIGINT, then shuts the server down gracefully.
func run(logger *log.Logger) error {
	port := os.Getenv("PORT")
	if port == "" {
		port = defaultPort
	}
	addr := net.JoinHostPort("", port)

	srv := &http.Server{
		Addr:              addr,
		Handler:           logRequests(logger, newMux()),
		ReadHeaderTimeout: 10 * time.Second,
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	logger.Printf("listening on %s", ln.Addr())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serving on %s: %w", addr, err)
	case sig := <-stop:
		logger.Printf("received %v, shutting down", sig)
	}

	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving on %s: %w", addr, err)
	}
	return nil
}

// newMux routes GET / to the greeting; anything else is 404 or 405.
func newMux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, "Hello World!")
	})
	return mux
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// logRequests logs one line per request, like werkzeug: "GET / HTTP/1.1" 200.
func logRequests(logger *log.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.Printf("%s - %q %d", remoteHost(r.RemoteAddr), r.Method+" "+r.RequestURI+" "+r.Proto, rec.status)
	})
}

// remoteHost strips the port from a RemoteAddr.
func remoteHost(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
