//go:build !linux

package redisserver

import "os/exec"

// setParentDeathSignal does nothing outside Linux: there, a test binary that
// dies without its cleanups leaves redis-server running.
func setParentDeathSignal(*exec.Cmd) {}
