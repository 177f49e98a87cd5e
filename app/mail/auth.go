package mail

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/emersion/go-sasl"

	"webmail/config"
)

// Auth is what one connection authenticates with: a password, or an OAuth 2
// access token (when Token is set). It exists only while a connection is
// made (invariant S3).
type Auth struct {
	Login    string
	Password string
	// Token is an OAuth 2 bearer token, sent with SASL OAUTHBEARER (RFC
	// 7628) or Google's and Microsoft's XOAUTH2.
	Token string
	// Mechanism picks the bearer mechanism: MechAuto (OAUTHBEARER when the
	// server offers it, else XOAUTH2), MechOAuthBearer or MechXOAuth2.
	Mechanism string
	// Renew, if set, returns a renewed Auth (a refreshed token) after the
	// server refused this one; the dial is tried once more with it.
	Renew func(ctx context.Context) (Auth, error)
}

// retry dials with auth, and once more with auth.Renew's after a refusal
// (refused, as tells whether err is one).
func retry[T any](ctx context.Context, auth Auth, refused error, dial func(Auth) (T, error)) (T, error) {
	c, err := dial(auth)
	if err == nil || auth.Renew == nil || !errors.Is(err, refused) {
		return c, err
	}
	renewed, rerr := auth.Renew(ctx)
	if rerr != nil {
		var zero T
		return zero, rerr
	}
	renewed.Renew = nil
	return dial(renewed)
}

// Bearer SASL mechanisms, as servers advertise them.
const (
	MechAuto        = ""
	MechOAuthBearer = "OAUTHBEARER"
	MechXOAuth2     = "XOAUTH2"
)

// Credentials returns the Auth for one dial. It is called only when a
// connection must be (re)made, and its result is not kept. It may refresh
// an OAuth token first, which is why it takes the request's context.
type Credentials func(ctx context.Context) (Auth, error)

// saslClient returns the SASL client for a, given what the server offers.
// The caller wipes what it built with wipeSASL once authenticated.
func (a Auth) saslClient(srv config.Server, offers func(mech string) bool) sasl.Client {
	if a.Token == "" {
		return &plainClient{user: a.Login, pass: a.Password}
	}
	mech := strings.ToUpper(a.Mechanism)
	if mech == MechAuto {
		mech = MechXOAuth2
		if offers(MechOAuthBearer) {
			mech = MechOAuthBearer
		}
	}
	if mech == MechOAuthBearer {
		return sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{
			Username: a.Login, Token: a.Token, Host: srv.Host, Port: srv.Port,
		})
	}
	return &xoauth2Client{user: a.Login, token: a.Token}
}

// wipeSASL overwrites the initial response a client of ours built, which
// held the password or token.
func wipeSASL(c sasl.Client) {
	if w, ok := c.(interface{ wipe() }); ok {
		w.wipe()
	}
}

// plainClient is SASL PLAIN (RFC 4616) with a response buffer that can be
// wiped, unlike go-sasl's.
type plainClient struct {
	user, pass string
	ir         []byte
}

func (c *plainClient) Start() (string, []byte, error) {
	c.ir = make([]byte, 0, 2+len(c.user)+len(c.pass))
	c.ir = append(c.ir, 0)
	c.ir = append(c.ir, c.user...)
	c.ir = append(c.ir, 0)
	c.ir = append(c.ir, c.pass...)
	return sasl.Plain, c.ir, nil
}

func (c *plainClient) Next([]byte) ([]byte, error) {
	return nil, errors.New("mail: unexpected challenge after PLAIN")
}

func (c *plainClient) wipe() { clear(c.ir) }

// String keeps the password out of any accidental %v.
func (c *plainClient) String() string { return "plain(" + strconv.Quote(c.user) + ")" }

// xoauth2Client is the XOAUTH2 mechanism of Google and Microsoft, which
// go-sasl lacks: one initial response; a failure arrives as a JSON
// challenge, answered with an empty response before the server's NO.
type xoauth2Client struct {
	user, token string
	ir          []byte
}

func (c *xoauth2Client) Start() (string, []byte, error) {
	c.ir = make([]byte, 0, 20+len(c.user)+len(c.token))
	c.ir = append(c.ir, "user="...)
	c.ir = append(c.ir, c.user...)
	c.ir = append(c.ir, "\x01auth=Bearer "...)
	c.ir = append(c.ir, c.token...)
	c.ir = append(c.ir, "\x01\x01"...)
	return MechXOAuth2, c.ir, nil
}

func (c *xoauth2Client) wipe() { clear(c.ir) }

func (c *xoauth2Client) Next([]byte) ([]byte, error) { return []byte{}, nil }

// String keeps the token out of any accidental %v.
func (c *xoauth2Client) String() string { return "xoauth2(" + strconv.Quote(c.user) + ")" }
