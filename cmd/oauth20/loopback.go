package main

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// defaultRedirectURL is the login's redirect URI: a loopback address and
// a port chosen at run time (RFC 8252 §7.3; port 0 means any free one).
const defaultRedirectURL = "http://127.0.0.1:0/callback"

// loopback is the listener that the provider redirects the browser to at
// the end of a login (RFC 8252 §7.3). It takes callbacks on one path and
// hands each to the login, which says what page the browser gets.
type loopback struct {
	redirectURL string
	path        string
	srv         *http.Server
	callbacks   chan callbackRequest
	done        chan struct{}
}

// callbackRequest is one request to the redirect path: its parameters, and
// where the login answers with the outcome to show.
type callbackRequest struct {
	params url.Values
	reply  chan error
}

// parseRedirect checks a redirect URL for a loopback listener: http, a
// loopback host (127.0.0.1, [::1] or localhost) and a port (0 for any).
func parseRedirect(raw string, port int) (*url.URL, string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Fragment != "" || u.RawQuery != "" {
		return nil, "", usagef("--redirect-url %q: want http://127.0.0.1:PORT/PATH (a loopback address, RFC 8252 §7.3)", raw)
	}
	host := u.Hostname()
	listen := host
	switch host {
	case "127.0.0.1", "::1":
	case "localhost":
		listen = "127.0.0.1"
	default:
		return nil, "", usagef("--redirect-url %q: the host must be 127.0.0.1, [::1] or localhost", raw)
	}
	p := u.Port()
	if port >= 0 {
		p = strconv.Itoa(port)
	}
	if p == "" {
		p = "0"
	}
	if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 65535 {
		return nil, "", usagef("port %q is not a TCP port", p)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	u.Host = net.JoinHostPort(host, p)
	return u, net.JoinHostPort(listen, p), nil
}

// listenLoopback starts the listener for redirect (see parseRedirect); the
// redirect URL it returns has the port actually bound.
func listenLoopback(redirect string, port int) (*loopback, error) {
	u, addr, err := parseRedirect(redirect, port)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, usageError(fmt.Errorf("redirect listener: %w", err))
	}
	_, bound, _ := net.SplitHostPort(ln.Addr().String())
	u.Host = net.JoinHostPort(u.Hostname(), bound)
	lb := &loopback{
		redirectURL: u.String(), path: u.Path,
		callbacks: make(chan callbackRequest), done: make(chan struct{}),
	}
	lb.srv = &http.Server{Handler: lb, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		_ = lb.srv.Serve(ln)
	}()
	return lb, nil
}

// ServeHTTP takes the callback on the redirect path, by query or, for
// response_mode=form_post, by form.
func (lb *loopback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != lb.path {
		http.NotFound(w, r)
		return
	}
	var params url.Values
	switch r.Method {
	case http.MethodGet:
		params = r.URL.Query()
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		params = r.PostForm
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	req := callbackRequest{params: params, reply: make(chan error, 1)}
	select {
	case lb.callbacks <- req:
	case <-lb.done:
		http.Error(w, "this login is over; start another one in the terminal", http.StatusGone)
		return
	case <-r.Context().Done():
		return
	}
	var err error
	select {
	case err = <-req.reply:
	case <-r.Context().Done():
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, page, "Login failed", html.EscapeString(err.Error())+"<br>See the terminal for details.")
		return
	}
	fmt.Fprintf(w, page, "Logged in", "You can close this tab and return to the terminal.")
}

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>oauth20</title></head>
<body style="font-family: sans-serif; margin: 4em auto; max-width: 36em">
<h1>%s</h1><p>%s</p></body></html>
`

// close stops the listener, letting the page being written finish.
func (lb *loopback) close() {
	close(lb.done)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := lb.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		_ = lb.srv.Close()
	}
}

// originOf returns scheme://host of a URL.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Scheme + "://" + u.Host
}
