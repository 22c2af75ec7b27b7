package redisserver

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal has the kernel kill redis-server when the test
// binary dies without its cleanups, for example on a test timeout's panic.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
