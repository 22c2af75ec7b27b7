package hydra

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal has the kernel kill Hydra when the test binary dies
// without its cleanups, for example on a test timeout's panic.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
