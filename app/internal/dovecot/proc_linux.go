package dovecot

import "syscall"

// sysProcAttr puts the dovecot master in a process group of its own, so that stop can
// find every process it started, and has the kernel send it SIGTERM should the test
// binary die without running its cleanups (a timeout panic, SIGKILL).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
