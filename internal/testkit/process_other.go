//go:build !linux

package testkit

import "os/exec"

// SetParentDeathSignal does nothing where the kernel has no parent death
// signal: a process left behind by a test binary that dies without its
// cleanups runs until it is killed by hand.
func SetParentDeathSignal(*exec.Cmd) {}
