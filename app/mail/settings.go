package mail

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"

	"webmail"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-message"
)

// Where a person's settings live in their own mailbox (DESIGN.md section
// 7): a private server entry of IMAP METADATA (RFC 5464) when the server
// offers it, else the newest message with SettingsSubject in
// SettingsFolder, a folder the webmail keeps out of the folder tree and
// the folder manager, and never subscribes.
const (
	SettingsEntry   = "/private/vendor/webmail/settings"
	SettingsFolder  = "Webmail Settings"
	SettingsSubject = "Webmail settings (kept by the webmail; do not delete)"
)

// MaxSettings bounds the settings read back from a settings message, in
// bytes.
const MaxSettings = 1 << 20

// SettingsStore says where Settings and SaveSettings keep the settings:
// "metadata" or "folder".
func (c *Conn) SettingsStore() string {
	if c.hasMetadata() {
		return "metadata"
	}
	return "folder"
}

func (c *Conn) hasMetadata() bool {
	return c.caps.Has(imap.CapMetadata) || c.caps.Has(imap.CapMetadataServer)
}

// settingsFolder is the hidden folder's full name, in the person's own
// namespace.
func (ns namespaces) settingsFolder() string { return ns.personal().prefix + SettingsFolder }

// Settings returns the settings kept in the mailbox, nil when there are
// none yet. It costs one GETMETADATA, or without METADATA a SELECT of the
// hidden folder and one FETCH.
func (c *Conn) Settings(ctx context.Context) ([]byte, error) {
	if c.hasMetadata() {
		var v *[]byte
		err := c.do(ctx, "getmetadata", func() error {
			// No MAXSIZE: go-imap v2.0.0-beta.8 writes GETMETADATA's
			// options after the mailbox, where RFC 5464 has them before
			// it, and Dovecot answers BAD. The value is ours, and small.
			data, err := c.c.GetMetadata("", []string{SettingsEntry}, nil).Wait()
			if err != nil {
				return err
			}
			v = data.Entries[SettingsEntry]
			return nil
		})
		if err != nil || v == nil {
			return nil, err
		}
		return *v, nil
	}
	ns, err := c.namespaces(ctx)
	if err != nil {
		return nil, err
	}
	count, _, err := c.selectMailbox(ctx, ns.settingsFolder())
	if errors.Is(err, ErrNotFound) || err == nil && count == 0 {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var raw []byte
	err = c.do(ctx, "fetch", func() error {
		section := &imap.FetchItemBodySection{Peek: true}
		msgs, err := c.c.Fetch(imap.SeqSetNum(count), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			return err
		}
		if len(msgs) > 0 {
			raw = msgs[0].FindBodySection(section)
		}
		return nil
	})
	if err != nil || raw == nil {
		return nil, err
	}
	return settingsBody(raw)
}

// settingsBody is the text of a settings message; nil for a message that
// is not one.
func settingsBody(raw []byte) ([]byte, error) {
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && e == nil {
		return nil, nil
	}
	if s, _ := e.Header.Text("Subject"); s != SettingsSubject {
		return nil, nil
	}
	return io.ReadAll(io.LimitReader(e.Body, MaxSettings))
}

// SaveSettings keeps v as the settings: one SETMETADATA, or without
// METADATA an APPEND to the hidden folder (created, unsubscribed, when it
// is missing), after which the older settings messages are expunged, so
// the newest wins.
func (c *Conn) SaveSettings(ctx context.Context, login string, v []byte, now time.Time) error {
	if c.hasMetadata() {
		return c.do(ctx, "setmetadata", func() error {
			return c.c.SetMetadata("", map[string]*[]byte{SettingsEntry: &v}).Wait()
		})
	}
	ns, err := c.namespaces(ctx)
	if err != nil {
		return err
	}
	folder := ns.settingsFolder()
	raw := settingsMessage(login, v, now)
	_, err = c.Append(ctx, folder, []webmail.Flag{`\Seen`}, now, int64(len(raw)), bytes.NewReader(raw))
	if err != nil {
		var ie *imap.Error
		if !errors.As(err, &ie) || ie.Type != imap.StatusResponseTypeNo {
			return err
		}
		if err := c.do(ctx, "create", func() error { return c.c.Create(folder, nil).Wait() }); err != nil && !errors.Is(folderError(err), ErrFolderExists) {
			return folderError(err)
		}
		if _, err = c.Append(ctx, folder, []webmail.Flag{`\Seen`}, now, int64(len(raw)), bytes.NewReader(raw)); err != nil {
			return err
		}
	}
	count, _, err := c.selectMailbox(ctx, folder)
	if err != nil || count < 2 {
		return err
	}
	return c.do(ctx, "expunge", func() error {
		older := imap.SeqSet{}
		older.AddRange(1, count-1)
		if err := c.c.Store(older, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			return err
		}
		return c.c.Expunge().Close()
	})
}

// settingsMessage is the message that holds v in the hidden folder: one
// text/plain part, base64 so that any server takes it.
func settingsMessage(login string, v []byte, now time.Time) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", sanitizeHeader(login))
	fmt.Fprintf(&b, "Subject: %s\r\n", SettingsSubject)
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "MIME-Version: 1.0\r\n")
	fmt.Fprintf(&b, "Content-Type: %s\r\n", mime.FormatMediaType("text/plain", map[string]string{"charset": "utf-8"}))
	fmt.Fprintf(&b, "Content-Transfer-Encoding: base64\r\n\r\n")
	enc := make([]byte, base64.StdEncoding.EncodedLen(len(v)))
	base64.StdEncoding.Encode(enc, v)
	for len(enc) > 76 {
		b.Write(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.Write(enc)
	b.WriteString("\r\n")
	return b.Bytes()
}

func sanitizeHeader(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
}
