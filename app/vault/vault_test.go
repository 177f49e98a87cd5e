package vault

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	acct := Account{Login: "ann@example.org", Server: "imap.example.org:993"}
	for name, cred := range map[string]Credential{
		"password":         {Login: acct.Login, Password: "pässwörd with spaces"},
		"password NUL":     {Login: acct.Login, Password: "a\x00b"},
		"empty password":   {Login: acct.Login},
		"oauth":            {Login: acct.Login, Provider: "google", AccessToken: "ya29.a0Af-access", RefreshToken: "1//0g-refresh", Expiry: time.Unix(1795000000, 0)},
		"oauth no refresh": {Login: acct.Login, Provider: "ms", AccessToken: "eyJ0eXAi.x.y"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			key := NewKey()
			sealed, err := Seal(key, acct, cred)
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{cred.Password, cred.AccessToken, cred.RefreshToken} {
				if len(secret) > 3 && strings.Contains(sealed, secret) {
					t.Fatalf("sealed credential contains %q", secret)
				}
			}
			got, err := Open(key, acct, sealed)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(cred, got, cmpopts.IgnoreUnexported(Credential{})); diff != "" {
				t.Fatalf("Open (-want +got):\n%s", diff)
			}
			if got.OAuth() != (cred.Provider != "") {
				t.Fatalf("OAuth() = %v", got.OAuth())
			}
		})
	}
}

func TestSealRefusesNULInTokens(t *testing.T) {
	t.Parallel()
	acct := Account{Login: "ann@example.org", Server: "imap.example.org:993"}
	if _, err := Seal(NewKey(), acct, Credential{Login: acct.Login, Provider: "g", AccessToken: "a\x00b"}); err == nil {
		t.Fatal("Seal accepted a token with NUL, which would shift the fields")
	}
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
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
		"wrong version": {key, acct, base64.RawURLEncoding.EncodeToString(append([]byte{version + 1}, raw[1:]...))},
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
			t.Parallel()
			if _, err := Open(tc.key, tc.acct, tc.sealed); !errors.Is(err, ErrOpen) {
				t.Fatalf("Open err = %v, want ErrOpen", err)
			}
		})
	}
}

func TestNewKeyIsRandom(t *testing.T) {
	t.Parallel()
	a, b := NewKey(), NewKey()
	if len(a) != KeySize || bytes.Equal(a, b) {
		t.Fatalf("NewKey gave %d bytes, equal=%v", len(a), bytes.Equal(a, b))
	}
}

// TestWipe: the plaintext an opened credential holds is overwritten by
// Wipe, and a Clone keeps its own.
func TestWipe(t *testing.T) {
	t.Parallel()
	acct := Account{Login: "ann@example.org", Server: "imap.example.org:993"}
	key := NewKey()
	for name, cred := range map[string]Credential{
		"password": {Login: acct.Login, Password: "pässwörd-1"},
		"oauth":    {Login: acct.Login, Provider: "g", AccessToken: "ya29.access", RefreshToken: "1//refresh", Expiry: time.Unix(1e9, 0)},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sealed, err := Seal(key, acct, cred)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Open(key, acct, sealed)
			if err != nil {
				t.Fatal(err)
			}
			clone := got.Clone()
			buf := got.buf
			if !bytes.Contains(buf, []byte(cred.Password+cred.AccessToken)) {
				t.Fatalf("the buffer does not hold the secret: %q", buf)
			}
			view := got.AccessToken
			if got.Password != "" {
				view = got.Password
			}
			got.Wipe()
			if bytes.ContainsFunc(buf, func(r rune) bool { return r != 0 }) {
				t.Errorf("after Wipe the buffer holds %q", buf)
			}
			if strings.Trim(view, "\x00") != "" {
				t.Errorf("a view of the secret still reads %q", view)
			}
			if got.Password != "" || got.AccessToken != "" || got.RefreshToken != "" {
				t.Errorf("fields not emptied: %+v", got)
			}
			if clone.Password != cred.Password || clone.AccessToken != cred.AccessToken || clone.RefreshToken != cred.RefreshToken {
				t.Errorf("the clone lost its secret: %+v", clone)
			}
		})
	}
}
