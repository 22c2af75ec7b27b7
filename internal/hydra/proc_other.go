//go:build !linux

package hydra

import "os/exec"

// setParentDeathSignal does nothing where the kernel has no parent death
// signal: a test binary that dies without its cleanups leaves Hydra running
// until it is killed by hand.
func setParentDeathSignal(*exec.Cmd) {}
