package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"testing"
	"time"

	"webmail/app/demo"
	"webmail/app/internal/dovecot"
	"webmail/app/mail"
	"webmail/config"
)

// storedSettings is what the mailbox holds as settings, read with a
// connection of its own, and where ("metadata" or "folder").
func storedSettings(t *testing.T, imapAddr, login, password string) ([]byte, string) {
	t.Helper()
	host, port := splitHostPort(t, imapAddr)
	d := mail.Dialer{Timeout: 10 * time.Second}
	pool := mail.NewPool(d, mail.PoolOptions{Budget: 2, Idle: time.Minute, Wait: 10 * time.Second})
	acct := mail.Account{ID: login, Server: config.Server{Host: host, Port: port, Security: config.SecurityPlain}, Auth: mail.Auth{Login: login, Password: password}}
	var raw []byte
	var store string
	err := pool.Do(context.Background(), acct, "", func(c *mail.Conn) error {
		var err error
		store = c.SettingsStore()
		raw, err = c.Settings(context.Background())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	pool.CloseFree(login)
	return raw, store
}

// TestNoSecretInSettings extends S1 to the settings kept in the mailbox
// (the METADATA value on Dovecot, the settings message on the demo
// server): after every setting is saved, with the SMTP credentials
// saved and used, they hold neither password nor the sealed SMTP
// credential, in clear or encoded.
func TestNoSecretInSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, store string
		start       func(t *testing.T) (*env, string)
	}{
		{"demo", "folder", func(t *testing.T) (*env, string) {
			accts := demo.DefaultAccounts()
			accts[0].SMTPPassword = "Zk8-smtp!Vq27-secret"
			e := newEnvWith(t, demo.Options{Accounts: accts})
			return e, e.demo.IMAPAddr()
		}},
		{"dovecot-metadata", "metadata", func(t *testing.T) (*env, string) {
			e, dc := newDovecotEnv(t, dovecot.Options{Metadata: true})
			return e, dc.Addr()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, imapAddr := tc.start(t)
			c := e.client()
			c.login(t, e.acct.Login, e.acct.Password)
			secrets := [][]byte{[]byte(e.acct.Password)}
			if tc.name == "demo" {
				blob := c.saveSMTP(t, e.acct.SMTPLogin, e.acct.SMTPPassword)
				secrets = append(secrets, []byte(e.acct.SMTPPassword), []byte(blob))
				resp := c.postMultipart(t, "/compose/send", [][2]string{{"to", "ann@example.net"}, {"subject", "Hi"}, {"body", "x"}, {"smtp_blob", blob}}, nil)
				resp.Body.Close()
			}
			domain := domainOf(e.acct.Login)
			c.seeOtherTo(t, "/settings/identities", url.Values{"address": {"sales@" + domain}, "name": {"Sales"}, "signature": {"Regards"}, "default": {"1"}}, "/settings#identities")
			c.seeOtherTo(t, "/settings/reading", url.Values{"per_page": {"100"}, "density": {"compact"}, "mark_read": {"delay"}, "mark_read_delay": {"3"}}, "/settings#reading")
			c.seeOtherTo(t, "/settings/remote", url.Values{"sender": {"news@example.com"}}, "/settings#remote")
			parse(t, c.do(t, "POST", "/settings/timezone", url.Values{"tz": {"Asia/Tokyo"}}), http.StatusOK)

			raw, store := storedSettings(t, imapAddr, e.acct.Login, e.acct.Password)
			if store != tc.store || !bytes.Contains(raw, []byte("Asia/Tokyo")) || !bytes.Contains(raw, []byte("Regards")) {
				t.Fatalf("settings in %s: %s; want them in %s, with every setting: the test would prove nothing", store, raw, tc.store)
			}
			for _, s := range secrets {
				for name, f := range map[string][]byte{"plain": s, "base64": []byte(base64.StdEncoding.EncodeToString(s)), "base64url": []byte(base64.RawURLEncoding.EncodeToString(s)), "hex": []byte(hex.EncodeToString(s))} {
					if bytes.Contains(raw, f) {
						t.Errorf("the settings hold a secret (%s, %d bytes)", name, len(s))
					}
				}
			}
		})
	}
}
