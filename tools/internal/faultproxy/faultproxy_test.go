package faultproxy_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/internal/faultproxy"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		path     string
		wantKind faultproxy.Kind
		wantRef  string
	}{
		{"/v2/", faultproxy.Ping, ""},
		{"/v2/team/app/blobs/sha256:abc", faultproxy.Blob, "sha256:abc"},
		{"/v2/team/app/blobs/uploads/", faultproxy.Upload, ""},
		{"/v2/team/app/blobs/uploads/0b1c-2d", faultproxy.Upload, "0b1c-2d"},
		{"/v2/app/manifests/v1", faultproxy.Manifest, "v1"},
		{"/v2/app/manifests/sha256:abc", faultproxy.Manifest, "sha256:abc"},
		{"/v2/app/tags/list", faultproxy.Tags, ""},
		{"/v2/_catalog", faultproxy.Other, ""},
		{"/metrics", faultproxy.Other, ""},
	}
	for _, tc := range tests {
		kind, ref := faultproxy.Classify(tc.path)
		if kind != tc.wantKind || ref != tc.wantRef {
			t.Errorf("Classify(%q) = %q, %q; want %q, %q", tc.path, kind, ref, tc.wantKind, tc.wantRef)
		}
	}
}

func TestParseRules(t *testing.T) {
	tests := []struct {
		schedule string
		want     []faultproxy.Rule
		wantErr  string
	}{
		{
			schedule: "PATCH upload #2 after=4096 reset; put manifest 503\nHEAD blob #1+ 500; * * #3-5 502",
			want: []faultproxy.Rule{
				{Method: "PATCH", Kind: faultproxy.Upload, From: 2, Count: 1, After: 4096},
				{Method: "PUT", Kind: faultproxy.Manifest, From: 1, Count: 1, Status: 503},
				{Method: "HEAD", Kind: faultproxy.Blob, From: 1, Count: faultproxy.Forever, Status: 500},
				{From: 3, Count: 3, Status: 502},
			},
		},
		{schedule: " ; \n", want: nil},
		{schedule: "PATCH upload", wantErr: "too few fields"},
		{schedule: "PATCH layer reset", wantErr: `unknown kind "layer"`},
		{schedule: "PATCH upload #0 reset", wantErr: "#0 is not"},
		{schedule: "PATCH upload #3-2 reset", wantErr: "#3-2 is not"},
		{schedule: "PATCH upload after=x reset", wantErr: `after="x"`},
		{schedule: "PATCH upload soon reset", wantErr: `unknown field "soon"`},
		{schedule: "PATCH upload explode", wantErr: `action "explode"`},
		{schedule: "PATCH upload 99", wantErr: `action "99"`},
	}
	for _, tc := range tests {
		t.Run(tc.schedule, func(t *testing.T) {
			got, err := faultproxy.ParseRules(tc.schedule)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseRules error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseRules (-want +got):\n%s", diff)
			}
			// String gives the syntax back.
			for _, r := range got {
				again, err := faultproxy.ParseRules(r.String())
				if err != nil || len(again) != 1 || again[0] != r {
					t.Errorf("ParseRules(%q) = %v, %v; want %v", r.String(), again, err, r)
				}
			}
		})
	}
}

// upstream is a server that records the bodies it received in full or in
// part and answers like a registry starting an upload session.
type upstream struct {
	mu     sync.Mutex
	bodies []string
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body) // a truncated body is recorded as far as it came
	u.mu.Lock()
	u.bodies = append(u.bodies, r.Method+" "+r.URL.Path+" "+string(body))
	u.mu.Unlock()
	switch r.Method {
	case http.MethodPost:
		w.Header().Set("Location", "http://"+r.Host+"/v2/app/blobs/uploads/s1?_state=x")
		w.WriteHeader(http.StatusAccepted)
	case http.MethodPatch:
		w.Header().Set("Location", "/v2/app/blobs/uploads/s1?_state=y")
		w.WriteHeader(http.StatusAccepted)
	case http.MethodPut:
		w.WriteHeader(http.StatusCreated)
	default:
		fmt.Fprint(w, "ok")
	}
}

func (u *upstream) take() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	got := u.bodies
	u.bodies = nil
	return got
}

func TestProxy(t *testing.T) {
	up := &upstream{}
	srv := httptest.NewServer(up)
	defer srv.Close()
	rules, err := faultproxy.ParseRules("POST upload 503; PATCH upload #1 after=4 reset; PATCH upload #2 after=6 500; PUT upload #1 after=100 reset; HEAD blob #2+ 500")
	if err != nil {
		t.Fatal(err)
	}
	p, err := faultproxy.New(srv.URL, rules...)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	base := "http://" + p.Addr()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	do := func(method, path, body string) (int, error) {
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body == "" {
			req.Body = http.NoBody
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body) //nolint:errcheck
		return resp.StatusCode, nil
	}
	type result struct {
		Status int
		Reset  bool
	}
	steps := []struct {
		method, path, body string
		want               result
	}{
		{"POST", "/v2/app/blobs/uploads/", "", result{Status: 503}},
		{"POST", "/v2/app/blobs/uploads/", "", result{Status: 202}},
		{"PATCH", "/v2/app/blobs/uploads/s1", "0123456789", result{Reset: true}},
		{"PATCH", "/v2/app/blobs/uploads/s1", "0123456789", result{Status: 500}},
		{"PATCH", "/v2/app/blobs/uploads/s1", "0123456789", result{Status: 202}},
		// The body (none) is shorter than after=100: forwarded, the answer dropped.
		{"PUT", "/v2/app/blobs/uploads/s1?digest=sha256:d1", "", result{Reset: true}},
		{"PUT", "/v2/app/blobs/uploads/s1?digest=sha256:d1", "", result{Status: 201}},
		{"HEAD", "/v2/app/blobs/sha256:d1", "", result{Status: 200}},
		{"HEAD", "/v2/app/blobs/sha256:d1", "", result{Status: 500}},
		{"HEAD", "/v2/app/blobs/sha256:d1", "", result{Status: 500}},
	}
	for i, s := range steps {
		code, err := do(s.method, s.path, s.body)
		got := result{Status: code}
		if err != nil {
			if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.EOF) && !errors.Is(err, syscall.EPIPE) && !errors.Is(err, net.ErrClosed) {
				t.Errorf("step %d (%s %s): %v, want a connection reset", i, s.method, s.path, err)
			}
			got.Reset = true
		}
		if got != s.want {
			t.Errorf("step %d (%s %s) = %+v, want %+v", i, s.method, s.path, got, s.want)
		}
	}

	// What reached the server: nothing of faulted requests without after=,
	// the first bytes of the others.
	wantBodies := []string{
		"POST /v2/app/blobs/uploads/ ",
		"PATCH /v2/app/blobs/uploads/s1 0123",
		"PATCH /v2/app/blobs/uploads/s1 012345",
		"PATCH /v2/app/blobs/uploads/s1 0123456789",
		"PUT /v2/app/blobs/uploads/s1 ",
		"PUT /v2/app/blobs/uploads/s1 ",
		"HEAD /v2/app/blobs/sha256:d1 ",
	}
	// A request cut after= bytes reaches the server with at most those bytes:
	// the reset may discard some that were still in flight.
	cut := map[int]bool{1: true, 2: true}
	gotBodies := up.take()
	if len(gotBodies) == len(wantBodies) {
		for i, got := range gotBodies {
			if cut[i] && strings.HasPrefix(wantBodies[i], got) && strings.Count(got, " ") == 2 {
				gotBodies[i] = wantBodies[i]
			}
		}
	}
	if diff := cmp.Diff(wantBodies, gotBodies); diff != "" {
		t.Errorf("requests the server got (-want +got):\n%s", diff)
	}

	up2 := "/v2/app/blobs/uploads/"
	s1 := up2 + "s1"
	want := []faultproxy.Record{
		{Method: "POST", Kind: faultproxy.Upload, Path: up2, Status: 503, Fault: "POST upload #1 503"},
		{Method: "POST", Kind: faultproxy.Upload, Path: up2, Session: "s1", Digest: "sha256:d1", Status: 202},
		{Method: "PATCH", Kind: faultproxy.Upload, Path: s1, Session: "s1", Digest: "sha256:d1", Fault: "PATCH upload #1 after=4 reset", Sent: 4},
		{Method: "PATCH", Kind: faultproxy.Upload, Path: s1, Session: "s1", Digest: "sha256:d1", Status: 500, Fault: "PATCH upload #2 after=6 500", Sent: 6},
		{Method: "PATCH", Kind: faultproxy.Upload, Path: s1, Session: "s1", Digest: "sha256:d1", Status: 202, Sent: 10},
		{Method: "PUT", Kind: faultproxy.Upload, Path: s1, Session: "s1", Digest: "sha256:d1", Fault: "PUT upload #1 after=100 reset"},
		{Method: "PUT", Kind: faultproxy.Upload, Path: s1, Session: "s1", Digest: "sha256:d1", Status: 201},
		{Method: "HEAD", Kind: faultproxy.Blob, Path: "/v2/app/blobs/sha256:d1", Digest: "sha256:d1", Status: 200},
		{Method: "HEAD", Kind: faultproxy.Blob, Path: "/v2/app/blobs/sha256:d1", Digest: "sha256:d1", Status: 500, Fault: "HEAD blob #2+ 500"},
		{Method: "HEAD", Kind: faultproxy.Blob, Path: "/v2/app/blobs/sha256:d1", Digest: "sha256:d1", Status: 500, Fault: "HEAD blob #2+ 500"},
	}
	if diff := cmp.Diff(want, p.Take()); diff != "" {
		t.Errorf("Records (-want +got):\n%s", diff)
	}
	if got := p.Records(); len(got) != 0 {
		t.Errorf("Records after Take = %v, want none", got)
	}

	// New rules count from zero; no rules: everything passes.
	p.SetRules()
	if code, err := do("HEAD", "/v2/app/blobs/sha256:d1", ""); err != nil || code != 200 {
		t.Errorf("HEAD without rules = %d, %v; want 200", code, err)
	}
}

func TestProxyResetIsRST(t *testing.T) {
	srv := httptest.NewServer(&upstream{})
	defer srv.Close()
	p, err := faultproxy.New(srv.URL, faultproxy.Rule{Method: "PATCH", After: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	// A raw connection sees what the proxy does: an RST makes the read fail
	// with ECONNRESET, where a plain close would give EOF.
	conn, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := "PATCH /v2/app/blobs/uploads/s1 HTTP/1.1\r\nHost: " + p.Addr() + "\r\nContent-Length: 8388608\r\n\r\n"
	if _, err := conn.Write(append([]byte(head), bytes.Repeat([]byte("x"), 4<<10)...)); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second)) //nolint:errcheck
	n, err := conn.Read(make([]byte, 1024))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("read after the reset = %d bytes, %v; want ECONNRESET", n, err)
	}
	recs := p.Records()
	if len(recs) != 1 || recs[0].Sent != 1<<10 || recs[0].Status != 0 || recs[0].Fault != "PATCH * #1 after=1024 reset" {
		t.Errorf("Records = %+v, want one reset PATCH that forwarded 1024 bytes", recs)
	}
}

func TestNewRejectsUpstream(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:5000", "https://127.0.0.1:5000", "http://"} {
		if p, err := faultproxy.New(u); err == nil {
			p.Close()
			t.Errorf("New(%q) succeeded", u)
		}
	}
}
