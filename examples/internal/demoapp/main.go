package demoapp

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Server is a demo application ready to serve on a listener.
type Server interface {
	// Serve serves on ln until Shutdown.
	Serve(ln net.Listener) error
	// Shutdown stops serving and releases the application.
	Shutdown(ctx context.Context) error
}

type httpServer struct {
	srv   *http.Server
	close func()
}

// HTTPServer serves h with net/http; close releases the application after
// shutdown.
func HTTPServer(h http.Handler, close func()) Server {
	return &httpServer{srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}, close: close}
}

func (s *httpServer) Serve(ln net.Listener) error {
	if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *httpServer) Shutdown(ctx context.Context) error {
	defer s.close()
	return s.srv.Shutdown(ctx)
}

// Main is the main function of the demos: it reads the flags (-addr,
// -base-url, -provider-addr; OAUTH20_DEMO_ADDR also sets the address),
// builds the application with build and serves it until interrupted.
func Main(framework string, build func(Config) (Server, error)) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, framework, os.Args[1:], os.Getenv, slog.Default(), build, nil); err != nil {
		slog.Error("oauth20 demo: " + err.Error())
		os.Exit(1)
	}
}

// run is Main for the given flags, environment and logger, until ctx is
// done. serving, when not nil, is called with the demo's URL once it
// listens.
func run(ctx context.Context, framework string, args []string, getenv func(string) string, log *slog.Logger,
	build func(Config) (Server, error), serving func(baseURL string)) error {
	addr := getenv("OAUTH20_DEMO_ADDR")
	if addr == "" {
		addr = DefaultAddr
	}
	flags := flag.NewFlagSet(framework, flag.ContinueOnError)
	flags.StringVar(&addr, "addr", addr, "address to listen on; the development test provider runs only on a loopback address")
	baseURL := flags.String("base-url", "", "the demo's URL as the browser sees it (default http://{addr}, with 127.0.0.1 for an unspecified host)")
	providerAddr := flags.String("provider-addr", "127.0.0.1:0", "address of the development test provider")
	if err := flags.Parse(args); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	listening := ln.Addr().String()
	if *baseURL == "" {
		*baseURL = "http://" + browserHost(listening)
	}
	srv, err := build(Config{BaseURL: *baseURL, ListenAddr: listening, ProviderAddr: *providerAddr, Getenv: getenv, Logger: log})
	if err != nil {
		_ = ln.Close()
		return err
	}
	log.Info("oauth20 demo ("+framework+") on "+*baseURL+" — press Ctrl-C to stop", "listen", listening)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if serving != nil {
		serving(*baseURL)
	}
	done := false
	select {
	case err = <-served: // stopped by itself
		done = true
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	serr := srv.Shutdown(shutdown)
	if !done {
		err = <-served
	}
	return errors.Join(err, serr)
}

// browserHost is the host:port a browser on this machine reaches a
// listener at: its own, or 127.0.0.1 for an unspecified host (0.0.0.0,
// ::), which is no address a browser can open.
func browserHost(listening string) string {
	host, port, err := net.SplitHostPort(listening)
	if err != nil {
		return listening
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
