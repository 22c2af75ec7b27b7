//go:build unix

// Package filelock serializes work between processes with an advisory lock
// on a file. The test harnesses use it so that test binaries of several
// packages, run in parallel by go test, install or build a shared
// dependency once.
package filelock

import (
	"os"
	"syscall"
)

// Lock takes an exclusive advisory lock on path, creating the file, and
// returns the function that releases it. It blocks while another process
// holds the lock.
func Lock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
