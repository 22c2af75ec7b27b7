package demoapp

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
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
	addr := os.Getenv("OAUTH20_DEMO_ADDR")
	if addr == "" {
		addr = DefaultAddr
	}
	flag.StringVar(&addr, "addr", addr, "address to listen on")
	baseURL := flag.String("base-url", "", "the demo's URL as the browser sees it (default http://{addr})")
	providerAddr := flag.String("provider-addr", "127.0.0.1:0", "address of the in-process OpenID provider")
	flag.Parse()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	if *baseURL == "" {
		*baseURL = "http://" + ln.Addr().String()
	}
	srv, err := build(Config{BaseURL: *baseURL, ProviderAddr: *providerAddr})
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	fmt.Printf("oauth20 demo (%s) on %s — press Ctrl-C to stop\n", framework, *baseURL)
	if err := srv.Serve(ln); err != nil {
		log.Fatal(err)
	}
}
