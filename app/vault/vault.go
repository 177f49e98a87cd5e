// Package vault seals the login credential under a per-session key (DESIGN.md
// invariants S2 and S5): the browser keeps the ciphertext in a cookie, the
// server keeps the key in the session, and neither alone reveals the
// password or the OAuth tokens.
package vault

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the size of a session key in bytes (256 bits).
const KeySize = chacha20poly1305.KeySize

// version is the first byte of every sealed credential; it is also bound in
// the associated data so a future format cannot be confused with this one.
const version byte = 2

// purpose names what the ciphertext is for, so a key can never open a blob
// sealed for something else.
const purpose = "webmail/login-credential"

// ErrOpen is returned for every credential that does not open: tampered,
// sealed for another account or session, or of an unknown version. The
// causes are deliberately not told apart.
var ErrOpen = errors.New("vault: credential does not open")

// Credential is what a person logged in with: a password, or OAuth tokens
// (Provider set). It exists in plaintext only while a request dials a mail
// server (invariant S3).
type Credential struct {
	Login    string
	Password string

	Provider     string    // name of the OAuth provider; "" for a password
	AccessToken  string    // OAuth access token
	RefreshToken string    // OAuth refresh token; may be ""
	Expiry       time.Time // when AccessToken expires; zero if unknown
}

// OAuth reports whether c holds OAuth tokens rather than a password.
func (c Credential) OAuth() bool { return c.Provider != "" }

// encode lays c out as NUL-separated fields behind a kind letter. Only the
// password, last, may itself contain NUL; OAuth fields must not.
func (c Credential) encode() ([]byte, error) {
	if !c.OAuth() {
		return []byte("p\x00" + c.Login + "\x00" + c.Password), nil
	}
	fields := []string{c.Login, c.Provider, strconv.FormatInt(c.Expiry.Unix(), 10), c.AccessToken, c.RefreshToken}
	if c.Expiry.IsZero() {
		fields[2] = "0"
	}
	for _, f := range fields {
		if strings.IndexByte(f, 0) >= 0 {
			return nil, errors.New("vault: NUL in a credential field")
		}
	}
	return []byte("o\x00" + strings.Join(fields, "\x00")), nil
}

func decode(plain string) (Credential, bool) {
	kind, rest, _ := strings.Cut(plain, "\x00")
	switch kind {
	case "p":
		login, password, ok := strings.Cut(rest, "\x00")
		return Credential{Login: login, Password: password}, ok
	case "o":
		f := strings.Split(rest, "\x00")
		if len(f) != 5 || f[1] == "" {
			return Credential{}, false
		}
		exp, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			return Credential{}, false
		}
		c := Credential{Login: f[0], Provider: f[1], AccessToken: f[3], RefreshToken: f[4]}
		if exp != 0 {
			c.Expiry = time.Unix(exp, 0)
		}
		return c, true
	}
	return Credential{}, false
}

// Account is the non-secret identity a credential is bound to.
type Account struct {
	Login  string // login name
	Server string // IMAP host:port
}

// NewKey returns a fresh random session key.
func NewKey() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic("vault: crypto/rand failed: " + err.Error()) // unreachable on supported platforms
	}
	return k
}

// Seal encrypts c under key with XChaCha20-Poly1305 and returns the cookie
// value: base64url(version || nonce || ciphertext).
func Seal(key []byte, acct Account, c Credential) (string, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return "", err
	}
	plain, err := c.encode()
	if err != nil {
		return "", err
	}
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plain)+aead.Overhead())
	out[0] = version
	if _, err := rand.Read(out[1:]); err != nil {
		return "", err
	}
	out = aead.Seal(out, out[1:], plain, associatedData(acct))
	clear(plain)
	return base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts a cookie value made by Seal with the same key and account.
func Open(key []byte, acct Account, sealed string) (Credential, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return Credential{}, ErrOpen
	}
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(raw) < 1+aead.NonceSize()+aead.Overhead() || raw[0] != version {
		return Credential{}, ErrOpen
	}
	nonce, ct := raw[1:1+aead.NonceSize()], raw[1+aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, ct, associatedData(acct))
	if err != nil {
		return Credential{}, ErrOpen
	}
	c, ok := decode(string(plain))
	clear(plain)
	if !ok || c.Login != acct.Login {
		return Credential{}, ErrOpen
	}
	return c, nil
}

func associatedData(acct Account) []byte {
	// NUL cannot occur in a login name we accept, nor in host:port.
	return []byte(purpose + "\x00v2\x00" + acct.Login + "\x00" + acct.Server)
}
