//go:build unix && !linux

package dovecot

import "syscall"

// sysProcAttr puts the dovecot master in a process group of its own, so that stop can
// find every process it started.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
