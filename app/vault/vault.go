// Package vault seals the login credential under a per-session key (DESIGN.md
// invariants S2 and S5): the browser keeps the ciphertext in a cookie, the
// server keeps the key in the session, and neither alone reveals the
// password or the OAuth tokens.
package vault

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
	"unsafe"

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
// (Provider set). It exists in plaintext only during a request (invariant
// S3). The secret fields of a Credential that Open returned are views of
// one buffer, which Wipe overwrites with zeros; copies of the struct share
// it, Clone makes one with a buffer of its own.
type Credential struct {
	Login    string
	Password string

	Provider     string    // name of the OAuth provider; "" for a password
	AccessToken  string    // OAuth access token
	RefreshToken string    // OAuth refresh token; may be ""
	Expiry       time.Time // when AccessToken expires; zero if unknown

	buf []byte // what Password, AccessToken and RefreshToken are views of
}

// OAuth reports whether c holds OAuth tokens rather than a password.
func (c Credential) OAuth() bool { return c.Provider != "" }

// Wipe overwrites the secret fields' buffer with zeros and empties them.
// Strings the caller made from them, and copies other code made, are not
// reached: Go gives no way to (see the README).
func (c *Credential) Wipe() {
	clear(c.buf)
	c.buf = nil
	c.Password, c.AccessToken, c.RefreshToken = "", "", ""
}

// Clone returns c with its secret fields in a buffer of its own, so that
// wiping one leaves the other intact.
func (c Credential) Clone() Credential {
	buf := make([]byte, 0, len(c.Password)+len(c.AccessToken)+len(c.RefreshToken))
	buf = append(buf, c.Password...)
	buf = append(buf, c.AccessToken...)
	buf = append(buf, c.RefreshToken...)
	out := c
	out.buf = buf
	rest := buf
	out.Password, rest = view(rest, len(c.Password))
	out.AccessToken, rest = view(rest, len(c.AccessToken))
	out.RefreshToken, _ = view(rest, len(c.RefreshToken))
	return out
}

// view returns the first n bytes of b as a string sharing b's memory, and
// the rest of b.
func view(b []byte, n int) (string, []byte) {
	if n == 0 {
		return "", b
	}
	return unsafe.String(&b[0], n), b[n:]
}

// encode lays c out as NUL-separated fields behind a kind letter, in a
// buffer the caller clears. Only the password, last, may itself contain
// NUL; OAuth fields must not.
func (c Credential) encode() ([]byte, error) {
	if !c.OAuth() {
		b := make([]byte, 0, 3+len(c.Login)+len(c.Password))
		b = append(b, 'p', 0)
		b = append(b, c.Login...)
		b = append(b, 0)
		return append(b, c.Password...), nil
	}
	exp := "0"
	if !c.Expiry.IsZero() {
		exp = strconv.FormatInt(c.Expiry.Unix(), 10)
	}
	fields := []string{c.Login, c.Provider, exp, c.AccessToken, c.RefreshToken}
	n := 1
	for _, f := range fields {
		if strings.IndexByte(f, 0) >= 0 {
			return nil, errors.New("vault: NUL in a credential field")
		}
		n += 1 + len(f)
	}
	b := make([]byte, 0, n)
	b = append(b, 'o')
	for _, f := range fields {
		b = append(b, 0)
		b = append(b, f...)
	}
	return b, nil
}

// decode reads what encode wrote. The secret fields are views of plain,
// which becomes the credential's buffer.
func decode(plain []byte) (Credential, bool) {
	kind, rest, _ := bytes.Cut(plain, []byte{0})
	switch string(kind) {
	case "p":
		login, password, ok := bytes.Cut(rest, []byte{0})
		c := Credential{Login: string(login), buf: plain}
		c.Password, _ = view(password, len(password))
		return c, ok
	case "o":
		f := bytes.Split(rest, []byte{0})
		if len(f) != 5 || len(f[1]) == 0 {
			return Credential{}, false
		}
		exp, err := strconv.ParseInt(string(f[2]), 10, 64)
		if err != nil {
			return Credential{}, false
		}
		c := Credential{Login: string(f[0]), Provider: string(f[1]), buf: plain}
		c.AccessToken, _ = view(f[3], len(f[3]))
		c.RefreshToken, _ = view(f[4], len(f[4]))
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
	c, ok := decode(plain)
	if !ok || c.Login != acct.Login {
		clear(plain)
		return Credential{}, ErrOpen
	}
	return c, nil
}

func associatedData(acct Account) []byte {
	// NUL cannot occur in a login name we accept, nor in host:port.
	return []byte(purpose + "\x00v2\x00" + acct.Login + "\x00" + acct.Server)
}
