package oauth20redis_test

import (
	"bytes"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// lossyProxy forwards TCP connections to Redis. Armed with a pattern, it
// lets the next request that holds the pattern reach Redis and then breaks
// the connection instead of passing on the answer, as a network that fails
// after the write does; go-redis then sends the command again.
type lossyProxy struct {
	addr    string
	target  string
	pattern atomic.Pointer[[]byte]
	lost    atomic.Int32
	wg      sync.WaitGroup
}

func startLossyProxy(t *testing.T, target string) *lossyProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &lossyProxy{addr: ln.Addr().String(), target: target}
	var conns sync.Map
	t.Cleanup(func() {
		_ = ln.Close()
		conns.Range(func(k, _ any) bool { _ = k.(net.Conn).Close(); return true })
		p.wg.Wait()
	})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r, err := net.Dial("tcp", target)
			if err != nil {
				_ = c.Close()
				continue
			}
			conns.Store(c, nil)
			conns.Store(r, nil)
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.pipe(c, r)
			}()
		}
	}()
	return p
}

// arm makes the next request holding pattern (compared in lower case)
// lose its answer.
func (p *lossyProxy) arm(pattern string) {
	b := []byte(pattern)
	p.pattern.Store(&b)
}

// pipe copies one connection both ways until either side closes.
func (p *lossyProxy) pipe(client, redis net.Conn) {
	var drop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		for {
			n, err := client.Read(buf)
			if n > 0 {
				if pat := p.pattern.Load(); pat != nil && bytes.Contains(bytes.ToLower(buf[:n]), *pat) && p.pattern.CompareAndSwap(pat, nil) {
					drop.Store(true)
				}
				if _, werr := redis.Write(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		_ = redis.Close()
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := redis.Read(buf)
		if n > 0 && drop.Load() {
			p.lost.Add(1)
			break
		}
		if n > 0 {
			if _, werr := client.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			if err != io.EOF {
				break
			}
			break
		}
	}
	_ = client.Close()
	_ = redis.Close()
	<-done
}
