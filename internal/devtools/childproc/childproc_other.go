//go:build !linux

package childproc

import "os/exec"

// DieWithParent does nothing where the kernel offers no parent-death
// signal; the tests' cleanups still stop their servers.
func DieWithParent(cmd *exec.Cmd) {}
