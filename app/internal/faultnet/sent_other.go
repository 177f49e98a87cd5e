//go:build !linux

package faultnet

import (
	"net"
	"time"
)

// waitSent cannot see the send queue here; on loopback the data is usually delivered
// by the time Write returns.
func waitSent(c *net.TCPConn, timeout time.Duration) {}
