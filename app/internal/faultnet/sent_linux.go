package faultnet

import (
	"net"
	"syscall"
	"time"
	"unsafe"
)

// waitSent waits, at most for timeout, until the peer has acknowledged every byte
// written to c (SIOCOUTQ, the unacknowledged part of the send queue, is 0).
func waitSent(c *net.TCPConn, timeout time.Duration) {
	raw, err := c.SyscallConn()
	if err != nil {
		return
	}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		var queued int32
		var errno syscall.Errno
		if err := raw.Control(func(fd uintptr) {
			_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCOUTQ, uintptr(unsafe.Pointer(&queued)))
		}); err != nil || errno != 0 || queued == 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
}
