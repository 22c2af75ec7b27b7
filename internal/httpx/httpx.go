// Package httpx holds the HTTP client settings every request to a provider
// goes through: a timeout, no redirects followed, and a cap on response
// bodies, applied to any *http.Client an application passes in. It also
// describes failed requests without leaking secrets.
package httpx

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// Defaults for talking to providers.
const (
	// DefaultTimeout bounds one request, connection to last byte, when the
	// client given has no timeout of its own.
	DefaultTimeout = 10 * time.Second
	// MaxResponseBytes caps every response body read from a provider.
	MaxResponseBytes = 1 << 20
)

// Errors of the transport. Package core re-exports them.
var (
	// ErrTransport: the request could not be sent or the answer not read
	// (DNS, TCP, TLS, timeout, context cancelled).
	ErrTransport = errors.New("oauth20: transport error")
	// ErrResponseTooLarge: the body was larger than MaxResponseBytes.
	ErrResponseTooLarge = errors.New("oauth20: response body too large")
)

// Safe returns a copy of hc (nil means a new client) that never follows a
// redirect, bounds each request by DefaultTimeout unless hc has a timeout,
// and fails a read past MaxResponseBytes of any response body with
// ErrResponseTooLarge. The copy shares hc's transport (and so its
// connection pool) and cookie jar; hc itself is not modified. Safe of a
// client Safe returned is that client unchanged in behaviour.
//
// Redirects are refused for every request, not only those that carry a
// credential: a token, revocation or introspection answer is never taken
// from a redirect target, and discovery and key sets must be served where
// the issuer says they are.
//
// The timeout is applied by the copy's transport as a deadline on the
// request's context, lifted when the body has been read or closed, rather
// than by http.Client.Timeout: the client enforces its Timeout on a
// transport it does not know (ours wraps the caller's) with a timer, a
// channel and a goroutine per request. The bound is the same, connection to
// last byte, and an earlier deadline of the caller's context still wins. So
// the copy's Timeout field is zero.
func Safe(hc *http.Client) *http.Client {
	c := &http.Client{}
	if hc != nil {
		*c = *hc
	}
	c.CheckRedirect = noRedirect
	lt, ok := c.Transport.(*limitTransport)
	switch {
	case ok && c.Timeout == 0:
		// Already safe.
	case ok:
		c.Transport = &limitTransport{next: lt.next, timeout: c.Timeout}
	default:
		timeout := c.Timeout
		if timeout == 0 {
			timeout = DefaultTimeout
		}
		c.Transport = &limitTransport{next: c.Transport, timeout: timeout}
	}
	c.Timeout = 0
	return c
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Resty returns a resty client over Safe(hc), with resty's own logging,
// retries and debug output off.
func Resty(hc *http.Client) *resty.Client {
	rc := resty.NewWithClient(Safe(hc))
	rc.SetRetryCount(0)
	rc.SetDebug(false)
	rc.SetDisableWarn(true)
	rc.SetLogger(silentLogger{})
	return rc
}

// limitTransport bounds requests in time and caps response bodies.
type limitTransport struct {
	next    http.RoundTripper
	timeout time.Duration
}

func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.next
	if next == nil {
		next = http.DefaultTransport
	}
	var cancel context.CancelFunc
	if t.timeout > 0 {
		deadline := time.Now().Add(t.timeout)
		if d, ok := req.Context().Deadline(); !ok || deadline.Before(d) {
			var ctx context.Context
			ctx, cancel = context.WithDeadline(req.Context(), deadline)
			req = req.WithContext(ctx)
		}
	}
	resp, err := next.RoundTrip(req)
	if err != nil || resp.Body == nil {
		if cancel != nil {
			cancel()
		}
		return resp, err
	}
	if resp.ContentLength > MaxResponseBytes {
		resp.Body.Close()
		if cancel != nil {
			cancel()
		}
		return nil, fmt.Errorf("%w: Content-Length %d (limit %d bytes)", ErrResponseTooLarge, resp.ContentLength, MaxResponseBytes)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: MaxResponseBytes, cancel: cancel}
	return resp, nil
}

// limitedBody reads at most left bytes and reports ErrResponseTooLarge when
// the body goes on past them. It lifts the request's deadline (cancel, when
// not nil) at the end of the body or when closed.
type limitedBody struct {
	rc     io.ReadCloser
	left   int64
	cancel context.CancelFunc
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("%w (limit %d bytes)", ErrResponseTooLarge, MaxResponseBytes)
		}
		if err != nil {
			b.done()
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if err != nil {
		b.done()
	}
	return n, err
}

func (b *limitedBody) Close() error {
	err := b.rc.Close()
	b.done()
	return err
}

// done lifts the deadline; a CancelFunc may be called any number of times,
// from any goroutine.
func (b *limitedBody) done() {
	if b.cancel != nil {
		b.cancel()
	}
}

// ReadBody reads and closes the body of resp, at most MaxResponseBytes of
// it after any gzip decoding (ErrResponseTooLarge beyond). A body of known
// length is read into one buffer of that size; resty's own reading starts
// at 512 bytes and grows, and runs a regular expression on the content
// type, so the pipeline asks resty not to parse answers and reads them
// here. A gzip body that the transport did not decode itself (the request
// asked for gzip explicitly) is decoded, as resty does.
func ReadBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	var body io.Reader = resp.Body
	size := resp.ContentLength
	if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") && size != 0 {
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		body, size = zr, -1
	}
	if size < 0 || size > MaxResponseBytes {
		size = 1024
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			// Full: the body may have ended exactly here. Look before
			// growing the buffer.
			var one [1]byte
			n, err := io.ReadFull(body, one[:])
			if n == 0 {
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					return buf, nil
				}
				return nil, err
			}
			buf = append(buf, one[0])
			continue
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > MaxResponseBytes {
			return nil, fmt.Errorf("%w (limit %d bytes)", ErrResponseTooLarge, MaxResponseBytes)
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// silentLogger keeps resty from printing requests (which may carry secrets).
type silentLogger struct{}

func (silentLogger) Errorf(string, ...any) {}
func (silentLogger) Warnf(string, ...any)  {}
func (silentLogger) Debugf(string, ...any) {}

// TransportError turns an error of an HTTP call into the library's kinds:
// ErrResponseTooLarge for a body over the cap, else ErrTransport wrapping
// the cause (with *url.Error unwrapped, so that errors.As still reaches a
// net.Error or context.DeadlineExceeded). The message names the operation,
// method and URL without its query, which may hold secrets.
func TransportError(op, method, rawURL string, err error) error {
	if errors.Is(err, ErrResponseTooLarge) || errors.Is(err, resty.ErrResponseBodyTooLarge) {
		return fmt.Errorf("oauth20: %s: %w (limit %d bytes)", op, ErrResponseTooLarge, MaxResponseBytes)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("%w: %s %s %s: %w", ErrTransport, op, method, strconv.Quote(RedactURL(rawURL)), err)
}

// RedactURL drops the query, fragment and user info of a URL.
func RedactURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid URL>"
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String()
}
