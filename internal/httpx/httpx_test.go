package httpx

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// recordingTransport answers from fn and keeps the requests it was given.
type recordingTransport struct {
	fn   func(*http.Request) (*http.Response, error)
	reqs []*http.Request
}

func (t *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.reqs = append(t.reqs, r)
	return t.fn(r)
}

func answer(body string) func(*http.Request) (*http.Response, error) {
	return func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)),
			ContentLength: -1, Request: r}, nil
	}
}

func TestSafeDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		timeout     time.Duration
		ctxDeadline time.Duration // 0: none
		want        time.Duration // the deadline the transport sees
	}{
		{name: "default", want: DefaultTimeout},
		{name: "the client's own timeout", timeout: time.Second, want: time.Second},
		{name: "an earlier deadline of the caller wins", timeout: time.Minute, ctxDeadline: 2 * time.Second, want: 2 * time.Second},
		{name: "a later deadline of the caller loses", timeout: time.Second, ctxDeadline: time.Hour, want: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rt := &recordingTransport{fn: answer("{}")}
			hc := &http.Client{Transport: rt, Timeout: tt.timeout}
			c := Safe(hc)
			if c.Timeout != 0 || hc.Timeout != tt.timeout || hc.CheckRedirect != nil {
				t.Fatalf("Timeout %v (caller's now %v); the deadline belongs to the transport and the caller's client is unchanged", c.Timeout, hc.Timeout)
			}
			ctx := context.Background()
			if tt.ctxDeadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxDeadline)
				defer cancel()
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1/x", nil)
			start := time.Now()
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			seen := rt.reqs[0].Context()
			d, ok := seen.Deadline()
			if got := d.Sub(start); !ok || got > tt.want+time.Second || got < tt.want-time.Second {
				t.Fatalf("deadline in %v (set %t), want about %v", d.Sub(start), ok, tt.want)
			}
			if _, err := io.ReadAll(resp.Body); err != nil {
				t.Fatal(err)
			}
			if tt.ctxDeadline == 0 && seen.Err() == nil {
				t.Error("the deadline is still running after the body was read")
			}
			resp.Body.Close()
		})
	}
}

func TestSafeOfSafe(t *testing.T) {
	t.Parallel()
	rt := &recordingTransport{fn: answer("{}")}
	once := Safe(&http.Client{Transport: rt, Timeout: 3 * time.Second})
	twice := Safe(once)
	if twice.Transport != once.Transport || twice.Timeout != 0 {
		t.Fatal("Safe of a safe client wrapped it again")
	}
	// A timeout set on a safe client replaces the one it had.
	c := *once
	c.Timeout = time.Second
	if lt := Safe(&c).Transport.(*limitTransport); lt.timeout != time.Second || lt.next != rt {
		t.Fatalf("timeout %v, next %T", lt.timeout, lt.next)
	}
}

func TestSafeTimesOut(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := Safe(&http.Client{Timeout: 50 * time.Millisecond})
	_, err := c.Get(srv.URL)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
}

func TestSafeBodyCap(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("a"), MaxResponseBytes+1)
	for _, known := range []bool{true, false} {
		rt := &recordingTransport{fn: func(r *http.Request) (*http.Response, error) {
			n := int64(-1)
			if known {
				n = int64(len(big))
			}
			return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(big)), ContentLength: n, Request: r}, nil
		}}
		resp, err := Safe(&http.Client{Transport: rt}).Get("http://127.0.0.1/big")
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if !errors.Is(err, ErrResponseTooLarge) {
			t.Errorf("Content-Length known %t: err = %v, want ErrResponseTooLarge", known, err)
		}
	}
}

func TestSafeNoRedirect(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			t.Error("the redirect was followed")
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	follow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	resp, err := Safe(follow).Get(srv.URL + "/start")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestReadBody(t *testing.T) {
	t.Parallel()
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(b)
		_ = zw.Close()
		return buf.Bytes()
	}
	small := []byte(`{"access_token":"at","token_type":"Bearer"}`)
	exact := bytes.Repeat([]byte("x"), MaxResponseBytes)
	over := bytes.Repeat([]byte("x"), MaxResponseBytes+1)
	tests := []struct {
		name    string
		body    []byte
		length  int64 // -1: unknown
		gzip    bool
		want    []byte
		tooBig  bool
		wantCap int // 0: not checked
	}{
		{name: "known length, one buffer of that size", body: small, length: int64(len(small)), want: small, wantCap: len(small)},
		{name: "unknown length", body: small, length: -1, want: small},
		{name: "empty", body: nil, length: 0, want: []byte{}},
		{name: "a wrong length reads the body all the same", body: small, length: 3, want: small},
		{name: "exactly the cap", body: exact, length: -1, want: exact},
		{name: "over the cap", body: over, length: -1, tooBig: true},
		{name: "gzip", body: gz(small), length: -1, gzip: true, want: small},
		{name: "gzip that expands past the cap", body: gz(over), length: -1, gzip: true, tooBig: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			closed := false
			h := http.Header{}
			if tt.gzip {
				h.Set("Content-Encoding", "gzip")
			}
			resp := &http.Response{Header: h, ContentLength: tt.length,
				Body: readCloser{Reader: bytes.NewReader(tt.body), close: func() { closed = true }}}
			got, err := ReadBody(resp)
			if !closed {
				t.Error("body not closed")
			}
			if tt.tooBig {
				if !errors.Is(err, ErrResponseTooLarge) {
					t.Fatalf("err = %v, want ErrResponseTooLarge", err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tt.want) {
				t.Fatalf("got %d bytes, %v", len(got), err)
			}
			if tt.wantCap != 0 && cap(got) != tt.wantCap {
				t.Errorf("cap %d, want %d", cap(got), tt.wantCap)
			}
		})
	}
}

type readCloser struct {
	io.Reader
	close func()
}

func (r readCloser) Close() error { r.close(); return nil }
