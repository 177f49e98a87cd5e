package vault

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strconv"
	"testing"
)

func TestSealOpenRoundTrip(t *testing.T) {
	key := NewKey()
	acct := Account{Login: "ann@example.org", Server: "imap.example.org:993"}
	cred := Credential{Login: "ann@example.org", Password: "pässwörd with spaces"}
	sealed, err := Seal(key, acct, cred)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains([]byte(sealed), []byte(cred.Password)) {
		t.Fatal("sealed credential contains the password")
	}
	got, err := Open(key, acct, sealed)
	if err != nil {
		t.Fatal(err)
	}
	if got != cred {
		t.Fatalf("Open = %+v, want %+v", got, cred)
	}
}

func TestOpenRefuses(t *testing.T) {
	key := NewKey()
	acct := Account{Login: "ann@example.org", Server: "imap.example.org:993"}
	sealed, err := Seal(key, acct, Credential{Login: acct.Login, Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(sealed)

	cases := map[string]struct {
		key    []byte
		acct   Account
		sealed string
	}{
		"other key":     {NewKey(), acct, sealed},
		"other login":   {key, Account{Login: "bob@example.org", Server: acct.Server}, sealed},
		"other server":  {key, Account{Login: acct.Login, Server: "evil:993"}, sealed},
		"not base64":    {key, acct, "!!!"},
		"empty":         {key, acct, ""},
		"truncated":     {key, acct, sealed[:20]},
		"short key":     {key[:16], acct, sealed},
		"wrong version": {key, acct, base64.RawURLEncoding.EncodeToString(append([]byte{2}, raw[1:]...))},
	}
	for i := range raw {
		flipped := bytes.Clone(raw)
		flipped[i] ^= 0x01
		cases["flip byte "+strconv.Itoa(i)] = struct {
			key    []byte
			acct   Account
			sealed string
		}{key, acct, base64.RawURLEncoding.EncodeToString(flipped)}
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Open(tc.key, tc.acct, tc.sealed); !errors.Is(err, ErrOpen) {
				t.Fatalf("Open err = %v, want ErrOpen", err)
			}
		})
	}
}

func TestNewKeyIsRandom(t *testing.T) {
	a, b := NewKey(), NewKey()
	if len(a) != KeySize || bytes.Equal(a, b) {
		t.Fatalf("NewKey gave %d bytes, equal=%v", len(a), bytes.Equal(a, b))
	}
}
