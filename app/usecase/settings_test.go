package usecase_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"webmail"
	"webmail/app/internal/dovecot"
	"webmail/app/mail"
)

// eachSettingsStore runs f against the three places settings can live:
// METADATA on a Dovecot that offers it, and the hidden folder on a Dovecot
// without it and on the demo server (which has no METADATA).
func eachSettingsStore(t *testing.T, f func(t *testing.T, m *mailbox, store string)) {
	starts := map[string]func(*testing.T) (*mailbox, string){
		"demo": func(t *testing.T) (*mailbox, string) { return demoMailbox(t), "folder" },
		"dovecot": func(t *testing.T) (*mailbox, string) {
			return dovecotMailbox(t), "folder"
		},
		"dovecot-metadata": func(t *testing.T) (*mailbox, string) {
			dc := dovecot.Start(t, dovecot.Options{Metadata: true})
			return newMailbox(t, "dovecot", dc.Addr(), dovecot.DefaultLogin, dovecot.DefaultPassword), "metadata"
		},
	}
	for name, start := range starts {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, store := start(t)
			f(t, m, store)
		})
	}
}

// rawSettings is what the mailbox holds, and the settings messages in the
// hidden folder.
func (m *mailbox) rawSettings(t *testing.T) (raw []byte, store string, messages uint32) {
	t.Helper()
	ctx := context.Background()
	err := m.pool.Do(ctx, m.acct, "", func(c *mail.Conn) error {
		var err error
		store = c.SettingsStore()
		if raw, err = c.Settings(ctx); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	folder := mail.SettingsFolder
	err = m.pool.Do(ctx, m.acct, "", func(c *mail.Conn) error {
		folders, err := c.Folders(ctx, true)
		if err != nil {
			return err
		}
		tree, err := c.FolderTree(ctx)
		if err != nil {
			return err
		}
		for _, f := range folders {
			if f.Name == folder {
				t.Errorf("the folder list shows %q", folder)
			}
		}
		for _, f := range tree.List {
			if f.Name == folder {
				t.Errorf("the folder manager shows %q", folder)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if store == "folder" && raw != nil {
		messages = m.list(t, folder).Page.Total
	}
	return raw, store, messages
}

func TestSettingsKeptInMailbox(t *testing.T) {
	eachSettingsStore(t, func(t *testing.T, m *mailbox, wantStore string) {
		ctx := context.Background()
		got, err := m.svc.LoadSettings(ctx, m.acct)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(webmail.Settings{}, got); diff != "" {
			t.Errorf("settings of a new mailbox (-want +got):\n%s", diff)
		}

		first := webmail.Settings{TimeZone: "Europe/Berlin", PerPage: 100, Density: webmail.DensityCompact}
		if err := m.svc.SaveSettings(ctx, m.acct, first); err != nil {
			t.Fatal(err)
		}
		want := webmail.Settings{
			TimeZone: "Asia/Tokyo", Language: "de", PerPage: 25, Density: webmail.DensityCompact, Conversations: true,
			ReplyBelow: true, MarkRead: webmail.MarkReadAfterDelay, MarkReadDelay: 5,
			RemoteContent: []string{"news@example.org", "example.com"},
			Identities: []webmail.Identity{{
				Address: "sales@example.org", Name: "Jürgen Müller", ReplyTo: "team@example.org",
				Signature: "Jürgen\nSales — 株式会社\n\"quoted\" \\ back", Default: true,
			}},
		}
		if err := m.svc.SaveSettings(ctx, m.acct, want); err != nil {
			t.Fatal(err)
		}
		got, err = m.svc.LoadSettings(ctx, m.acct)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("settings read back (-want +got):\n%s", diff)
		}
		_, store, messages := m.rawSettings(t)
		if store != wantStore {
			t.Errorf("settings kept in %s, want %s", store, wantStore)
		}
		if store == "folder" && messages != 1 {
			t.Errorf("%d settings messages in the hidden folder, want the newest only", messages)
		}
	})
}

func TestSettingsInvalidNotSaved(t *testing.T) {
	eachSettingsStore(t, func(t *testing.T, m *mailbox, _ string) {
		ctx := context.Background()
		bad := webmail.Settings{TimeZone: "Mars/Olympus", PerPage: 7, Identities: []webmail.Identity{{Address: "not an address"}}}
		err := m.svc.SaveSettings(ctx, m.acct, bad)
		e := webmail.ErrorOf(err)
		if e == nil || e.Code != webmail.EInvalid {
			t.Fatalf("saving invalid settings: %v, want EInvalid", err)
		}
		for _, f := range []string{"time_zone", "per_page", "identities.0.address"} {
			if e.Fields[f] == "" {
				t.Errorf("no error for field %s: %v", f, e.Fields)
			}
		}
		if raw, _, _ := m.rawSettings(t); raw != nil {
			t.Errorf("invalid settings were saved: %s", raw)
		}
	})
}

func TestIdentities(t *testing.T) {
	eachSettingsStore(t, func(t *testing.T, m *mailbox, _ string) {
		ctx := context.Background()
		login := "ann@example.org"
		if _, err := m.svc.AddIdentity(ctx, m.acct, login, webmail.Identity{Address: "mallory@elsewhere.net"}); webmail.ErrorOf(err) == nil || webmail.ErrorOf(err).Fields["address"] == "" {
			t.Errorf("an identity of another domain: %v, want a field error", err)
		}
		st, err := m.svc.AddIdentity(ctx, m.acct, login, webmail.Identity{Address: "ann@example.org", Name: "Ann", Signature: "Ann"})
		if err != nil {
			t.Fatal(err)
		}
		if !st.Identities[0].Default {
			t.Errorf("the first identity is not the default: %+v", st.Identities)
		}
		if _, err = m.svc.AddIdentity(ctx, m.acct, login, webmail.Identity{Address: "sales@example.org", Name: "Sales"}); err != nil {
			t.Fatal(err)
		}
		if _, err = m.svc.SetDefaultIdentity(ctx, m.acct, "SALES@example.org"); err != nil {
			t.Fatal(err)
		}
		st, err = m.svc.LoadSettings(ctx, m.acct)
		if err != nil {
			t.Fatal(err)
		}
		if id, _ := st.DefaultIdentity(); id.Address != "sales@example.org" {
			t.Errorf("default identity %q, want sales@example.org", id.Address)
		}
		if _, err = m.svc.RemoveIdentity(ctx, m.acct, "sales@example.org"); err != nil {
			t.Fatal(err)
		}
		st, err = m.svc.LoadSettings(ctx, m.acct)
		if err != nil {
			t.Fatal(err)
		}
		want := []webmail.Identity{{Address: "ann@example.org", Name: "Ann", Signature: "Ann", Default: true}}
		if diff := cmp.Diff(want, st.Identities); diff != "" {
			t.Errorf("identities after removing the default (-want +got):\n%s", diff)
		}
		if _, err = m.svc.RemoveIdentity(ctx, m.acct, "sales@example.org"); webmail.ErrorOf(err) == nil || webmail.ErrorOf(err).Code != webmail.ENotFound {
			t.Errorf("removing it again: %v, want ENotFound", err)
		}
	})
}

func TestRemoteContentAllowList(t *testing.T) {
	eachSettingsStore(t, func(t *testing.T, m *mailbox, _ string) {
		ctx := context.Background()
		if _, err := m.svc.AllowRemote(ctx, m.acct, "News@Example.org"); err != nil {
			t.Fatal(err)
		}
		st, err := m.svc.AllowRemote(ctx, m.acct, "news@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if !st.ShowsRemote("NEWS@example.org") || st.ShowsRemote("other@example.org") || len(st.RemoteContent) != 1 {
			t.Errorf("allow-list %v", st.RemoteContent)
		}
		if st, err = m.svc.DisallowRemote(ctx, m.acct, "news@example.org"); err != nil || len(st.RemoteContent) != 0 {
			t.Errorf("after removing: %v, %v", st.RemoteContent, err)
		}
		if _, err := m.svc.AllowRemote(ctx, m.acct, "not a sender"); !errors.As(err, new(*webmail.Error)) {
			t.Errorf("allowing garbage: %v, want an invalid-input error", err)
		}
	})
}

// BenchmarkLoadSettings reads saved settings (an identity with a
// signature, an allow-list) from METADATA and from the hidden folder of a
// Dovecot: the cost of a session's first page, or of a cache miss.
func BenchmarkLoadSettings(b *testing.B) {
	for _, metadata := range []bool{true, false} {
		name := "folder"
		if metadata {
			name = "metadata"
		}
		b.Run(name, func(b *testing.B) {
			dc := dovecot.Start(b, dovecot.Options{Metadata: metadata})
			m := newMailbox(b, "dovecot", dc.Addr(), dovecot.DefaultLogin, dovecot.DefaultPassword)
			ctx := context.Background()
			st := webmail.Settings{TimeZone: "Europe/Berlin", RemoteContent: []string{"example.com"},
				Identities: []webmail.Identity{{Address: "sales@example.org", Name: "Sales", Signature: "Sales\nExample", Default: true}}}
			if err := m.svc.SaveSettings(ctx, m.acct, st); err != nil {
				b.Fatal(err)
			}
			before := m.commands.total()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := m.svc.LoadSettings(ctx, m.acct); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(m.commands.total()-before)/float64(b.N), "imap-cmds/op")
		})
	}
}
