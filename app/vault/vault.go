// Package vault seals the login credential under a per-session key (DESIGN.md
// invariant S2): the browser keeps the ciphertext in a cookie, the server keeps
// the key in the session, and neither alone reveals the password.
package vault

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the size of a session key in bytes (256 bits).
const KeySize = chacha20poly1305.KeySize

// version is the first byte of every sealed credential; it is also bound in
// the associated data so a future format cannot be confused with this one.
const version byte = 1

// purpose names what the ciphertext is for, so a key can never open a blob
// sealed for something else.
const purpose = "webmail/login-credential"

// ErrOpen is returned for every credential that does not open: tampered,
// sealed for another account or session, or of an unknown version. The
// causes are deliberately not told apart.
var ErrOpen = errors.New("vault: credential does not open")

// Credential is what a person logged in with. It exists in plaintext only
// while a request dials a mail server (invariant S3).
type Credential struct {
	Login    string
	Password string
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
	plain := make([]byte, 0, len(c.Login)+1+len(c.Password))
	plain = append(plain, c.Login...)
	plain = append(plain, 0)
	plain = append(plain, c.Password...)
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
	login, password, ok := strings.Cut(string(plain), "\x00")
	clear(plain)
	if !ok || login != acct.Login {
		return Credential{}, ErrOpen
	}
	return Credential{Login: login, Password: password}, nil
}

func associatedData(acct Account) []byte {
	// NUL cannot occur in a login name we accept, nor in host:port.
	return []byte(purpose + "\x00v1\x00" + acct.Login + "\x00" + acct.Server)
}
