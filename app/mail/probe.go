package mail

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"

	"webmail/config"
)

// Probe checks that srv takes connections, for a readiness check: TCP,
// TLS for "tls", the server's greeting, and STARTTLS and its TLS for
// "starttls". It logs in as no one and says LOGOUT. ctx must have a
// deadline; it bounds the whole probe.
func (d Dialer) Probe(ctx context.Context, srv config.Server) error {
	var nd net.Dialer
	raw, err := nd.DialContext(ctx, "tcp", srv.Addr())
	if err != nil {
		return dialFailure(ctx, err)
	}
	defer raw.Close()
	if dl, ok := ctx.Deadline(); ok {
		raw.SetDeadline(dl)
	}
	var conn net.Conn = raw
	cfg, err := d.tlsConfig(srv)
	if err != nil {
		return err
	}
	if srv.Security == config.SecurityTLS {
		tc := tls.Client(raw, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return classifyDial(err)
		}
		conn = tc
	}
	br := bufio.NewReader(conn)
	greeting, err := br.ReadString('\n')
	if err != nil {
		return fmt.Errorf("%w: no greeting: %w", ErrUnavailable, err)
	}
	if !strings.HasPrefix(greeting, "* OK") && !strings.HasPrefix(greeting, "* PREAUTH") {
		return fmt.Errorf("%w: the server refused the connection in its greeting", ErrUnavailable)
	}
	if srv.Security == config.SecurityStartTLS {
		if _, err := io.WriteString(conn, "p STARTTLS\r\n"); err != nil {
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return fmt.Errorf("%w: %w", ErrUnavailable, err)
			}
			if strings.HasPrefix(line, "p ") {
				if !strings.HasPrefix(line, "p OK") {
					return fmt.Errorf("%w: the server refused STARTTLS", ErrTLS)
				}
				break
			}
		}
		tc := tls.Client(raw, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return classifyDial(err)
		}
		conn = tc
	}
	io.WriteString(conn, "q LOGOUT\r\n") // courtesy; the close follows
	return nil
}
