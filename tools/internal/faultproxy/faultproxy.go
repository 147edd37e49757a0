package faultproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
)

// Kind is what a registry request is about, from its path (OCI
// distribution spec).
type Kind string

// The kinds of registry requests.
const (
	Ping     Kind = "ping"     // /v2/
	Blob     Kind = "blob"     // /v2/<name>/blobs/<digest>
	Upload   Kind = "upload"   // /v2/<name>/blobs/uploads/[<session>]
	Manifest Kind = "manifest" // /v2/<name>/manifests/<reference>
	Tags     Kind = "tags"     // /v2/<name>/tags/list
	Other    Kind = "other"    // anything else
)

// Classify returns the kind of a request path and what it names: the
// digest of a blob, the tag or digest of a manifest, the session of an
// upload ("" for the POST that starts one).
func Classify(path string) (Kind, string) {
	if path == "/v2/" || path == "/v2" {
		return Ping, ""
	}
	rest, ok := strings.CutPrefix(path, "/v2/")
	if !ok {
		return Other, ""
	}
	if i := strings.LastIndex(rest, "/blobs/uploads"); i >= 0 && i > 0 {
		return Upload, strings.Trim(rest[i+len("/blobs/uploads"):], "/")
	}
	if i := strings.LastIndex(rest, "/blobs/"); i > 0 {
		return Blob, rest[i+len("/blobs/"):]
	}
	if i := strings.LastIndex(rest, "/manifests/"); i > 0 {
		return Manifest, rest[i+len("/manifests/"):]
	}
	if strings.HasSuffix(rest, "/tags/list") {
		return Tags, ""
	}
	return Other, ""
}

// Forever, as Rule.Count, faults every matching request from Rule.From on.
const Forever = -1

// Rule injects one kind of fault into the requests it matches.
type Rule struct {
	// Method matches the request method; "" matches any.
	Method string
	// Kind matches the request kind; "" matches any.
	Kind Kind
	// From is the first matching request that is faulted, counting from 1;
	// 0 means 1.
	From int
	// Count is how many matching requests are faulted from From on; 0
	// means 1, Forever means all of them.
	Count int
	// After is how many bytes of the request body are forwarded to the
	// registry before the fault; 0 forwards nothing. When the body is
	// shorter, all of it is forwarded and the registry's answer is dropped.
	After int64
	// Status is the status answered; 0 resets the connection (TCP RST).
	Status int
}

// String gives the rule in ParseRules' syntax.
func (r Rule) String() string {
	method, kind := r.Method, string(r.Kind)
	if method == "" {
		method = "*"
	}
	if kind == "" {
		kind = "*"
	}
	from, count := max(r.From, 1), max(r.Count, 1)
	s := fmt.Sprintf("%s %s #%d", method, kind, from)
	switch {
	case r.Count == Forever:
		s += "+"
	case count > 1:
		s += fmt.Sprintf("-%d", from+count-1)
	}
	if r.After > 0 {
		s += fmt.Sprintf(" after=%d", r.After)
	}
	if r.Status == 0 {
		return s + " reset"
	}
	return fmt.Sprintf("%s %d", s, r.Status)
}

func (r Rule) matches(method string, kind Kind) bool {
	return (r.Method == "" || strings.EqualFold(r.Method, method)) && (r.Kind == "" || r.Kind == kind)
}

// fires reports whether the nth matching request (from 1) is faulted.
func (r Rule) fires(n int) bool {
	from := max(r.From, 1)
	if n < from {
		return false
	}
	return r.Count == Forever || n < from+max(r.Count, 1)
}

// Record is one request the proxy received.
type Record struct {
	Method string
	Kind   Kind
	// Path is the request path, without the query.
	Path string
	// Digest is the blob digest the request concerns: from the path of a
	// blob request, or, for an upload, the digest its session's final PUT
	// names ("" for a session that never finished).
	Digest string
	// Session is the upload session of an upload request.
	Session string
	// Status is the status the client got; 0 when its connection was reset.
	Status int
	// Fault is the rule that faulted the request, "" when it was forwarded
	// untouched.
	Fault string
	// Sent is how many request body bytes reached the registry.
	Sent int64
}

// Proxy is a running fault-injecting reverse proxy on 127.0.0.1.
type Proxy struct {
	ln        net.Listener
	srv       *http.Server
	transport *http.Transport

	mu      sync.Mutex
	rules   []Rule
	matched []int // per rule, how many requests it matched
	records []*Record
}

type stateKey struct{}

// state is what the handler tells the reverse proxy's hooks about a request.
type state struct {
	rec   *Record
	fault *Rule
	sent  *countingReader
}

// errInjected makes the reverse proxy hand a request to the error handler,
// which injects the fault.
var errInjected = errors.New("fault injected")

// New starts a proxy on 127.0.0.1 (a free port) that forwards to upstream
// (an http://host:port URL) and injects the faults of rules. Close stops it.
func New(upstream string, rules ...Rule) (*Proxy, error) {
	target, err := url.Parse(upstream)
	if err != nil || target.Scheme != "http" || target.Host == "" {
		return nil, fmt.Errorf("faultproxy: upstream %q is not an http://HOST:PORT URL", upstream)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listening on 127.0.0.1: %w", err)
	}
	p := &Proxy{ln: ln, transport: &http.Transport{Proxy: nil, DisableCompression: true}}
	p.SetRules(rules...)
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			// The registry builds its Location headers from Host: keep the
			// proxy's, so that the client comes back through it.
			pr.Out.Host = pr.In.Host
		},
		Transport:      p.transport,
		ModifyResponse: p.modifyResponse,
		ErrorHandler:   p.errorHandler,
	}
	p.srv = &http.Server{Handler: p.handler(rp)}
	go p.srv.Serve(ln) //nolint:errcheck // returns http.ErrServerClosed on Close
	return p, nil
}

// Addr is the proxy's HOST:PORT.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Close stops the proxy and closes its connections.
func (p *Proxy) Close() error {
	err := p.srv.Close()
	p.transport.CloseIdleConnections()
	return err
}

// SetRules replaces the fault schedule; the counts of matching requests
// start again from zero.
func (p *Proxy) SetRules(rules ...Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append([]Rule(nil), rules...)
	p.matched = make([]int, len(rules))
}

// Records returns the requests received so far, oldest first, with the
// digests of upload sessions filled in.
func (p *Proxy) Records() []Record {
	p.mu.Lock()
	defer p.mu.Unlock()
	digests := map[string]string{}
	for _, r := range p.records {
		if r.Kind == Upload && r.Session != "" && r.Digest != "" {
			digests[r.Session] = r.Digest
		}
	}
	out := make([]Record, len(p.records))
	for i, r := range p.records {
		out[i] = *r
		if out[i].Digest == "" && out[i].Session != "" {
			out[i].Digest = digests[out[i].Session]
		}
	}
	return out
}

// Take returns Records and forgets them.
func (p *Proxy) Take() []Record {
	got := p.Records()
	p.mu.Lock()
	p.records = nil
	p.mu.Unlock()
	return got
}

// fault counts the request against every rule it matches and returns the
// first rule that faults it.
func (p *Proxy) fault(method string, kind Kind) *Rule {
	p.mu.Lock()
	defer p.mu.Unlock()
	var fault *Rule
	for i, r := range p.rules {
		if !r.matches(method, kind) {
			continue
		}
		p.matched[i]++
		if fault == nil && r.fires(p.matched[i]) {
			fault = &p.rules[i]
		}
	}
	return fault
}

func (p *Proxy) handler(rp *httputil.ReverseProxy) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind, ref := Classify(r.URL.Path)
		rec := &Record{Method: r.Method, Kind: kind, Path: r.URL.Path}
		switch kind {
		case Blob:
			rec.Digest = ref
		case Upload:
			rec.Session = ref
			rec.Digest = r.URL.Query().Get("digest")
		}
		fault := p.fault(r.Method, kind)
		p.mu.Lock()
		p.records = append(p.records, rec)
		p.mu.Unlock()
		if fault != nil && fault.After == 0 {
			p.inject(w, rec, fault)
			return
		}
		st := &state{rec: rec, fault: fault}
		if r.Body != nil && r.Body != http.NoBody {
			limit := int64(-1)
			if fault != nil {
				limit = fault.After
			}
			st.sent = &countingReader{r: r.Body, limit: limit}
			r.Body = st.sent
		}
		rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), stateKey{}, st)))
	})
}

func (p *Proxy) modifyResponse(resp *http.Response) error {
	st, _ := resp.Request.Context().Value(stateKey{}).(*state)
	if st == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if st.sent != nil {
		st.rec.Sent = st.sent.n.Load()
	}
	if st.rec.Kind == Upload && st.rec.Session == "" {
		// The POST that starts a session learns its name from Location.
		if loc, err := resp.Location(); err == nil {
			if kind, session := Classify(loc.Path); kind == Upload {
				st.rec.Session = session
			}
		}
	}
	if st.fault != nil {
		return errInjected
	}
	st.rec.Status = resp.StatusCode
	return nil
}

func (p *Proxy) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	st, _ := r.Context().Value(stateKey{}).(*state)
	if st == nil {
		http.Error(w, "faultproxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	p.mu.Lock()
	if st.sent != nil {
		st.rec.Sent = st.sent.n.Load()
	}
	p.mu.Unlock()
	if st.fault != nil {
		p.inject(w, st.rec, st.fault)
		return
	}
	// A real failure between the proxy and the registry.
	p.mu.Lock()
	st.rec.Status = http.StatusBadGateway
	p.mu.Unlock()
	http.Error(w, "faultproxy: "+err.Error(), http.StatusBadGateway)
}

// inject answers the request with the fault's status, or resets the
// client's connection.
func (p *Proxy) inject(w http.ResponseWriter, rec *Record, fault *Rule) {
	p.mu.Lock()
	rec.Fault = fault.String()
	rec.Status = fault.Status
	p.mu.Unlock()
	if fault.Status != 0 {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Connection", "close")
		w.WriteHeader(fault.Status)
		fmt.Fprintf(w, "faultproxy: injected fault %s\n", fault)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // closes the connection, without an RST
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		tcp.SetLinger(0) //nolint:errcheck // best effort: Close then sends a FIN instead of an RST
	}
	conn.Close()
}

// countingReader counts the bytes read through it and, with a limit >= 0,
// fails once limit bytes were read.
type countingReader struct {
	r     io.ReadCloser
	limit int64 // -1: none
	n     atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	if c.limit >= 0 {
		rest := c.limit - c.n.Load()
		if rest <= 0 {
			return 0, errInjected
		}
		if int64(len(b)) > rest {
			b = b[:rest]
		}
	}
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingReader) Close() error { return c.r.Close() }
