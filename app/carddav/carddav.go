// Package carddav reads and writes a person's CardDAV address book
// (RFC 6352) with the credentials they logged in with: their IMAP login
// and password (HTTP Basic), or their OAuth access token (Bearer). A
// Client lives for one request and keeps nothing; the credential it holds
// is the request's.
package carddav

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/carddav"

	"webmail"
)

// Why the address book could not be used.
var (
	// ErrUnreachable: no answer, a timeout, or a server error.
	ErrUnreachable = errors.New("carddav: server unreachable")
	// ErrRefused: the server did not accept the credentials, or forbids
	// what was asked (a read-only address book).
	ErrRefused = errors.New("carddav: refused")
	// ErrNoBook: the server has no address book for the person.
	ErrNoBook = errors.New("carddav: no address book")
)

// Auth is how a Client logs in: Token (a Bearer token) when set, else
// Login and Password.
type Auth struct {
	Login, Password, Token string
}

// Client talks to one person's CardDAV server for one request.
type Client struct {
	c    *carddav.Client
	hc   *statusClient
	book string // the address book's path, once found
}

// New returns a client of the server at rawURL. hc carries the requests
// (its Timeout bounds each one); nil means a client with a 20-second
// timeout.
func New(rawURL string, auth Auth, hc *http.Client) (*Client, error) {
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	sc := &statusClient{c: hc, auth: auth}
	c, err := carddav.NewClient(sc, rawURL)
	if err != nil {
		return nil, err
	}
	return &Client{c: c, hc: sc}, nil
}

// statusClient adds the credential to each request and remembers the
// status of the last answer, which go-webdav's errors do not expose.
type statusClient struct {
	c      *http.Client
	auth   Auth
	status atomic.Int32
}

func (s *statusClient) Do(req *http.Request) (*http.Response, error) {
	if s.auth.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.auth.Token)
	} else {
		req.SetBasicAuth(s.auth.Login, s.auth.Password)
	}
	resp, err := s.c.Do(req)
	if err != nil {
		s.status.Store(0)
		return nil, err
	}
	s.status.Store(int32(resp.StatusCode))
	return resp, nil
}

// classify turns what went wrong into one of the errors above, keeping
// the cause for the log.
func (c *Client) classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	switch st := int(c.hc.status.Load()); {
	case st == http.StatusUnauthorized || st == http.StatusForbidden || st == http.StatusMethodNotAllowed:
		return errors.Join(ErrRefused, err)
	case st == http.StatusNotFound:
		return errors.Join(ErrNoBook, err)
	}
	// No answer, a server error, or an answer go-webdav could not read.
	return errors.Join(ErrUnreachable, err)
}

// findBook finds the address book: the configured URL itself or one
// under it, else the first one in the person's address book home
// (current-user-principal, then addressbook-home-set).
func (c *Client) findBook(ctx context.Context) (string, error) {
	if c.book != "" {
		return c.book, nil
	}
	if books, err := c.c.FindAddressBooks(ctx, ""); err == nil && len(books) > 0 {
		c.book = books[0].Path
		return c.book, nil
	}
	principal, err := c.c.FindCurrentUserPrincipal(ctx)
	if err != nil {
		return "", c.classify(err)
	}
	home, err := c.c.FindAddressBookHomeSet(ctx, principal)
	if err != nil {
		return "", c.classify(err)
	}
	books, err := c.c.FindAddressBooks(ctx, home)
	if err != nil {
		return "", c.classify(err)
	}
	if len(books) == 0 {
		return "", ErrNoBook
	}
	c.book = books[0].Path
	return c.book, nil
}

// List returns the address book's contacts, one per e-mail address, at
// most limit addresses. Cards without an address are left out.
func (c *Client) List(ctx context.Context, limit int) ([]webmail.Contact, error) {
	book, err := c.findBook(ctx)
	if err != nil {
		return nil, err
	}
	objs, err := c.c.QueryAddressBook(ctx, book, &carddav.AddressBookQuery{
		DataRequest: carddav.AddressDataRequest{Props: []string{vcard.FieldFormattedName, vcard.FieldEmail}},
		Limit:       limit,
	})
	if err != nil {
		return nil, c.classify(err)
	}
	var out []webmail.Contact
	for _, o := range objs {
		name := strings.TrimSpace(o.Card.PreferredValue(vcard.FieldFormattedName))
		for _, email := range o.Card.Values(vcard.FieldEmail) {
			email = strings.TrimPrefix(strings.TrimSpace(email), "mailto:")
			if email == "" || !strings.Contains(email, "@") {
				continue
			}
			if len(out) >= limit {
				return out, nil
			}
			out = append(out, webmail.Contact{Name: name, Email: email, InBook: true})
		}
	}
	return out, nil
}

// Add puts a new vCard (version 4.0) with name and email in the address
// book, unless a card there already has the address: added is then false.
func (c *Client) Add(ctx context.Context, name, email string) (added bool, err error) {
	book, err := c.findBook(ctx)
	if err != nil {
		return false, err
	}
	objs, err := c.c.QueryAddressBook(ctx, book, &carddav.AddressBookQuery{
		DataRequest: carddav.AddressDataRequest{Props: []string{vcard.FieldEmail}},
		PropFilters: []carddav.PropFilter{{
			Name:        vcard.FieldEmail,
			TextMatches: []carddav.TextMatch{{Text: email, MatchType: carddav.MatchEquals}},
		}},
		Limit: 1,
	})
	if err != nil {
		return false, c.classify(err)
	}
	for _, o := range objs {
		for _, e := range o.Card.Values(vcard.FieldEmail) {
			if strings.EqualFold(strings.TrimPrefix(e, "mailto:"), email) {
				return false, nil
			}
		}
	}
	var b [16]byte
	rand.Read(b[:])
	uid := hex.EncodeToString(b[:])
	card := vcard.Card{}
	card.SetValue(vcard.FieldVersion, "4.0")
	card.SetValue(vcard.FieldUID, "urn:uuid:"+uuid(b))
	if name == "" {
		name = email
	}
	card.SetValue(vcard.FieldFormattedName, name)
	card.AddValue(vcard.FieldEmail, email)
	if _, err := c.c.PutAddressObject(ctx, path.Join(book, uid+".vcf"), card); err != nil {
		return false, c.classify(err)
	}
	return true, nil
}

// uuid formats 16 random bytes as a version 4 UUID.
func uuid(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

var _ webdav.HTTPClient = (*statusClient)(nil)
