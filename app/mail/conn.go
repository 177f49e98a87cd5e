package mail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
	"webmail"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Conn is one authenticated IMAP connection. It holds no password. It is
// used by one request at a time: the Pool hands it out to one borrower.
type Conn struct {
	c     *imapclient.Client
	dc    *deadlineConn
	caps  imap.CapSet
	login string // as the server accepted it; the Pool lends it to this login only

	selected string // mailbox currently selected
	validity uint32 // its UIDVALIDITY
	stale    bool   // no NOOP or SELECT yet in this request
	lastUsed time.Time
	long     bool // lent for a long time (a download); counted apart

	// folders is the folder tree cache, shared by every connection of the
	// account (the Pool sets it; a lone connection has its own).
	folders *folderCache
	cmdGen  uint64 // the cache's generation when the last command began

	obs *Observer // the Dialer's, or nil

	news *news // what the server told unasked; nil on a watcher's

	rows int // messages a list page shows for this borrower; 0: webmail.PageSize
}

// SetPageLen sets how many messages a list page shows (the person's
// setting) until the connection is given back; 0 for webmail.PageSize.
func (c *Conn) SetPageLen(n int) { c.rows = n }

func (c *Conn) pageLen() int {
	if c.rows > 0 {
		return c.rows
	}
	return webmail.PageSize
}

// Close logs out (briefly) and closes the connection.
func (c *Conn) Close() error {
	if c.Closed() {
		return c.c.Close()
	}
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

// Closed reports whether the server, a broken command or a timeout closed
// the connection.
func (c *Conn) Closed() bool {
	select {
	case <-c.c.Closed():
		return true
	default:
		return c.dc.expired.Load()
	}
}

// do runs f as one command: within the Dialer's Timeout as a whole, or
// until ctx ends. A connection that timed out or broke off is closed (the
// Pool then drops it) and the error says which: ErrTimeout, ErrClosed, or
// the context's error when the request went away.
// name is the command's coarse name for the Observer ("fetch", "store").
func (c *Conn) do(ctx context.Context, name string, f func() error) error {
	return c.run(ctx, name, false, f)
}

// doStream is do for a command that moves a message body of any size:
// the bound is on progress, each read or write within the Timeout, not on
// the whole.
func (c *Conn) doStream(ctx context.Context, name string, f func() error) error {
	return c.run(ctx, name, true, f)
}

func (c *Conn) run(ctx context.Context, name string, stream bool, f func() error) error {
	if c.obs == nil || c.obs.Command == nil {
		return c.runCommand(ctx, stream, f)
	}
	start := time.Now()
	err := c.runCommand(ctx, stream, f)
	c.obs.Command(name, time.Since(start), err)
	return err
}

func (c *Conn) runCommand(ctx context.Context, stream bool, f func() error) error {
	c.cmdGen = c.folders.generation()
	stop := c.dc.watch(ctx, stream)
	err := f()
	stop()
	if err == nil {
		return nil
	}
	var ie *imap.Error
	switch {
	case c.dc.expired.Load():
		c.c.Close()
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	case ctx.Err() != nil:
		c.c.Close() // a command broken off leaves the connection in between
		return fmt.Errorf("%w: %w", ErrUnavailable, context.Cause(ctx))
	case errors.As(err, &ie):
		if ie.Type == imap.StatusResponseTypeBye {
			c.c.Close()
			return fmt.Errorf("%w: %w", ErrClosed, err)
		}
		if ie.Code == imap.ResponseCodeOverQuota {
			return fmt.Errorf("%w: %w", ErrOverQuota, err)
		}
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) || c.Closed() {
		c.c.Close()
		return fmt.Errorf("%w: %w", ErrClosed, err)
	}
	return err
}

// selectMailbox selects name unless it is selected already, in which case a
// NOOP (once per request) brings in new messages and expunges. It returns
// the message count and UIDVALIDITY.
func (c *Conn) selectMailbox(ctx context.Context, name string) (count, validity uint32, err error) {
	err = c.do(ctx, "select", func() error {
		if c.selected == name {
			if c.stale {
				c.news.listen(true)
				err := c.c.Noop().Wait()
				c.news.listen(false)
				if err != nil {
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
		if n, ok := c.folders.total(name); ok && n != count {
			c.news.hear() // the cached counts are of another time
		}
		return nil
	})
	return count, validity, err
}
