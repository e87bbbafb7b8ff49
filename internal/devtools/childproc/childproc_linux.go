package childproc

import (
	"os/exec"
	"syscall"
)

// DieWithParent asks the kernel to SIGKILL cmd's process when the process
// that started it exits. Call it before cmd.Start.
func DieWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
