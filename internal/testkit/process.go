package testkit

import (
	"os"
	"syscall"
	"time"
)

// StopProcess ends a child process that a test harness started: p is the
// process, and exited a channel that the goroutine waiting for it
// (exec.Cmd.Wait) closes. Unless exited is already closed, StopProcess asks
// the process to end (SIGTERM; a kill where the signal cannot be sent) and
// kills it if it has not exited after grace. It returns once exited is
// closed.
func StopProcess(p *os.Process, exited <-chan struct{}, grace time.Duration) {
	select {
	case <-exited:
		return
	default:
	}
	if err := p.Signal(syscall.SIGTERM); err != nil {
		_ = p.Kill()
	}
	select {
	case <-exited:
	case <-time.After(grace):
		_ = p.Kill()
		<-exited
	}
}
