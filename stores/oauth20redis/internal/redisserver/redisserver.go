// Package redisserver runs a real redis-server for tests: its own process
// on a free loopback port, with its data in the test's temporary directory,
// stopped when the test ends.
//
// Without redis-server on the PATH (Debian: apt-get install redis-server),
// Start skips the test with a message, unless the environment has
// OAUTH20_E2E=1 (CI sets it): then the test fails instead.
package redisserver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/internal/testkit"
)

const (
	// readyTimeout bounds the wait for "Ready to accept connections".
	readyTimeout = 30 * time.Second
	// stopGrace is how long a stopping server may take before it is killed.
	stopGrace = 10 * time.Second
	// tries is how many ports Start tries, in case another process takes
	// the free port it found before redis-server binds it.
	tries = 3
)

// Server is a running redis-server. Its methods are not safe for concurrent
// use with each other.
type Server struct {
	// Addr is host:port, on 127.0.0.1.
	Addr string

	t    testing.TB
	bin  string
	dir  string
	port int
	proc *process
	log  *testkit.SyncBuffer // the server's output; written by two goroutines
}

// process is one run of redis-server.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error
}

// Start starts redis-server for t and registers its stop as a cleanup. The
// server binds 127.0.0.1 only, has no password, and saves its data only
// when Stop asks it to. Its output goes to the test log when t fails.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redis-server is not installed (Debian: apt-get install redis-server)"
		if os.Getenv("OAUTH20_E2E") == "1" {
			t.Fatalf("%s; OAUTH20_E2E=1 requires it", msg)
		}
		t.Skipf("%s; skipping (set OAUTH20_E2E=1 to fail instead)", msg)
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir(), log: &testkit.SyncBuffer{}}
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			t.Logf("redis-server output:\n%s", s.log.String())
		}
	})
	for try := 1; ; try++ {
		if s.port, err = freePort(); err != nil {
			t.Fatal(err)
		}
		err = s.launch()
		if err == nil {
			return s
		}
		if try == tries || !strings.Contains(s.log.String(), "already in use") {
			t.Fatalf("redis-server: %v", err)
		}
		t.Logf("redis-server: port %d was taken; trying another", s.port)
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("redisserver: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// launch starts redis-server on s.port and waits until it is ready.
func (s *Server) launch() error {
	s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
	cmd := exec.Command(s.bin,
		"--bind", "127.0.0.1", "--port", strconv.Itoa(s.port),
		"--dir", s.dir, "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no",
		"--daemonize", "no", "--logfile", "", "--loglevel", "notice")
	testkit.SetParentDeathSignal(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = s.log
	if err := cmd.Start(); err != nil {
		return err
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	s.proc = p
	ready := make(chan struct{})
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(stdout)
		once := sync.Once{}
		for sc.Scan() {
			fmt.Fprintln(s.log, sc.Text())
			if strings.Contains(sc.Text(), "Ready to accept connections") {
				once.Do(func() { close(ready) })
			}
		}
		_, _ = io.Copy(s.log, stdout)
	}()
	go func() {
		<-scanned // Wait must not run before stdout is read to its end.
		p.err = cmd.Wait()
		close(p.exited)
	}()
	select {
	case <-ready:
		return nil
	case <-p.exited:
		return fmt.Errorf("exited before it was ready: %v", p.err)
	case <-time.After(readyTimeout):
		s.kill()
		return fmt.Errorf("not ready within %v", readyTimeout)
	}
}

// Stop shuts the server down as an operator would (SHUTDOWN SAVE): it
// saves its data to disk, closes every connection and exits. Clients then
// get "connection refused" until Restart.
func (s *Server) Stop() {
	s.t.Helper()
	if err := s.command("SHUTDOWN", "SAVE"); err != nil && !errors.Is(err, io.EOF) {
		s.t.Fatalf("redis-server: shutdown: %v", err)
	}
	select {
	case <-s.proc.exited:
	case <-time.After(stopGrace):
		s.t.Fatal("redis-server: still running after SHUTDOWN")
	}
}

// Restart starts the server again on the same port, with the data Stop
// saved.
func (s *Server) Restart() {
	s.t.Helper()
	if err := s.launch(); err != nil {
		s.t.Fatalf("redis-server: restart on port %d: %v", s.port, err)
	}
}

// Pause stops the process without closing its connections (SIGSTOP), as a
// server that hangs: requests wait for an answer that does not come.
func (s *Server) Pause() { s.signal(syscall.SIGSTOP) }

// Resume continues a paused server (SIGCONT).
func (s *Server) Resume() { s.signal(syscall.SIGCONT) }

func (s *Server) signal(sig syscall.Signal) {
	s.t.Helper()
	if err := s.proc.cmd.Process.Signal(sig); err != nil {
		s.t.Fatalf("redis-server: %v: %v", sig, err)
	}
}

// Command sends one command to the server and returns its answer's first
// line (for example FLUSHALL or DBSIZE), without a client library.
func (s *Server) Command(args ...string) (string, error) {
	conn, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := conn.Write(b.Bytes()); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if strings.HasPrefix(line, "-") {
		return "", errors.New(line[1:])
	}
	return line, nil
}

func (s *Server) command(args ...string) error {
	_, err := s.Command(args...)
	return err
}

// kill ends the current process, if it runs: it resumes a paused one, asks
// it to terminate, and kills it after a grace period.
func (s *Server) kill() {
	p := s.proc
	if p == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGCONT)
	testkit.StopProcess(p.cmd.Process, p.exited, stopGrace)
}
