package mail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Conn is one authenticated IMAP connection. It holds no password. It is
// used by one request at a time: the Pool hands it out under a lock.
type Conn struct {
	c    *imapclient.Client
	dc   *deadlineConn
	caps imap.CapSet

	mu       sync.Mutex // held by the request using the connection
	selected string     // mailbox currently selected
	validity uint32     // its UIDVALIDITY
	stale    bool       // no NOOP or SELECT yet in this request
	lastUsed time.Time

	folders     []Folder // cached LIST result
	foldersTime time.Time
}

// Close logs out (briefly) and closes the connection.
func (c *Conn) Close() error {
	done := make(chan struct{})
	go func() {
		c.c.Logout().Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
	}
	return c.c.Close()
}

// Closed reports whether the server or a broken command closed the
// connection.
func (c *Conn) Closed() bool {
	select {
	case <-c.c.Closed():
		return true
	default:
		return false
	}
}

// begin arms the I/O deadlines for one request; the returned func disarms.
func (c *Conn) begin(ctx context.Context) func() {
	return c.dc.watch(ctx)
}

// do runs f with the connection's deadlines armed for ctx and turns
// network failures into ErrUnavailable.
func (c *Conn) do(ctx context.Context, f func() error) error {
	stop := c.begin(ctx)
	defer stop()
	err := f()
	if err == nil {
		return nil
	}
	var ie *imap.Error
	if errors.As(err, &ie) {
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || c.Closed() {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, ctx.Err())
	}
	return err
}

// selectMailbox selects name unless it is selected already, in which case a
// NOOP (once per request) brings in new messages and expunges. It returns
// the message count and UIDVALIDITY.
func (c *Conn) selectMailbox(ctx context.Context, name string) (count, validity uint32, err error) {
	err = c.do(ctx, func() error {
		if c.selected == name {
			if c.stale {
				if err := c.c.Noop().Wait(); err != nil {
					return err
				}
				c.stale = false
			}
			if mb := c.c.Mailbox(); mb != nil && mb.Name == name {
				count = mb.NumMessages
				validity = c.validity
				return nil
			}
		}
		c.selected = ""
		data, err := c.c.Select(name, &imap.SelectOptions{ReadOnly: false}).Wait()
		if err != nil {
			var ie *imap.Error
			if errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo {
				return ErrNotFound
			}
			return err
		}
		c.selected, c.validity, c.stale = name, data.UIDValidity, false
		count, validity = data.NumMessages, data.UIDValidity
		return nil
	})
	return count, validity, err
}
