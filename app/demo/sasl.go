package demo

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/emersion/go-sasl"
)

// XOAuth2 is the name of Google's XOAUTH2 SASL mechanism, which predates
// OAUTHBEARER (RFC 7628) and which many clients and servers still use.
const XOAuth2 = "XOAUTH2"

// defaultTokenMechanisms returns the bearer-token mechanisms offered by
// default, the standard one first.
func defaultTokenMechanisms() []string { return []string{sasl.OAuthBearer, XOAuth2} }

// tokenMechanisms checks and normalises Options.TokenMechanisms.
func tokenMechanisms(mechs []string) ([]string, error) {
	if len(mechs) == 0 {
		return defaultTokenMechanisms(), nil
	}
	var l []string
	for _, m := range mechs {
		m = strings.ToUpper(m)
		if m != sasl.OAuthBearer && m != XOAuth2 {
			return nil, fmt.Errorf("demo: unknown token mechanism %q", m)
		}
		l = append(l, m)
	}
	return l, nil
}

// tokenAccount returns the account that a bearer token presented for
// username authenticates: the token must be a valid access token of the
// provider, and username, when given, the address it was issued for.
func (s *Server) tokenAccount(username, token string) (*mailAccount, error) {
	email, err := s.provider.ValidateToken(token)
	if err != nil {
		return nil, err
	}
	if username != "" && !strings.EqualFold(username, email) {
		return nil, fmt.Errorf("demo: a token for %s presented for %s", email, username)
	}
	acct := s.accountByAddress(email)
	if acct == nil {
		return nil, fmt.Errorf("demo: no account for %s", email)
	}
	return acct, nil
}

// newBearerServer returns the server side of the bearer-token mechanism mech
// (OAUTHBEARER or XOAUTH2). auth authenticates a token presented for a
// username, which may be empty with OAUTHBEARER (its authzid is optional).
// A refused token is reported with the mechanism's JSON challenge, and the
// exchange then ends with failErr, the protocol's own failure.
func newBearerServer(mech string, auth func(username, token string) error, failErr error) sasl.Server {
	if mech == XOAuth2 {
		return &xoauth2Server{auth: auth, failErr: failErr}
	}
	return &bearerFailure{
		Server: sasl.NewOAuthBearerServer(func(o sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
			if auth(o.Username, o.Token) != nil {
				return &sasl.OAuthBearerError{Status: "invalid_token", Schemes: "bearer", Scope: MailScope}
			}
			return nil
		}),
		failErr: failErr,
	}
}

// bearerFailure ends go-sasl's OAUTHBEARER server after its error challenge
// itself. go-sasl would panic on an empty client response there (it tests
// len(response) != 1 && response[0] != 1, with && for ||), and its errors
// are not the protocols' own: go-imap would answer a generic server error.
type bearerFailure struct {
	sasl.Server
	failErr error
	failed  bool
}

func (b *bearerFailure) Next(response []byte) ([]byte, bool, error) {
	if b.failed {
		return nil, true, b.failErr
	}
	challenge, done, err := b.Server.Next(response)
	if err != nil {
		return nil, true, b.failErr
	}
	// go-sasl's only non-empty challenge is its error report.
	b.failed = !done && len(challenge) > 0
	return challenge, done, nil
}

// xoauth2Server is the server side of XOAUTH2: the client sends
// "user=USER\x01auth=Bearer TOKEN\x01\x01"; a refused token gets a JSON
// challenge, and the exchange fails after the client's (empty) answer.
type xoauth2Server struct {
	auth    func(username, token string) error
	failErr error
	failed  bool
	asked   bool
}

func (x *xoauth2Server) Next(response []byte) ([]byte, bool, error) {
	switch {
	case x.failed:
		return nil, true, x.failErr
	case response == nil && !x.asked:
		// No initial response: ask for it with an empty challenge.
		x.asked = true
		return []byte{}, false, nil
	}
	user, token, ok := parseXOAuth2(response)
	if !ok || x.auth(user, token) != nil {
		x.failed = true
		return []byte(`{"status":"401","schemes":"bearer","scope":"` + MailScope + `"}`), false, nil
	}
	return nil, true, nil
}

func parseXOAuth2(response []byte) (user, token string, ok bool) {
	fields, found := bytes.CutSuffix(response, []byte("\x01\x01"))
	if !found {
		return "", "", false
	}
	for f := range bytes.SplitSeq(fields, []byte{1}) {
		key, value, _ := bytes.Cut(f, []byte{'='})
		switch string(key) {
		case "user":
			user = string(value)
		case "auth":
			scheme, t, _ := strings.Cut(string(value), " ")
			if !strings.EqualFold(scheme, "Bearer") {
				return "", "", false
			}
			token = t
		}
	}
	return user, token, user != "" && token != ""
}
