package testkit

import (
	"os/exec"
	"syscall"
)

// SetParentDeathSignal has the kernel kill the process cmd starts when the
// test binary dies without its cleanups, for example on a test timeout's
// panic. Call it before cmd.Start.
func SetParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
