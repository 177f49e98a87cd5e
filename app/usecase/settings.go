package usecase

import (
	"context"
	"encoding/json"
	"strings"

	"webmail"
	"webmail/app/mail"
)

// LoadSettings reads the person's settings from their mailbox (IMAP
// METADATA, or the settings message of the hidden folder; see
// mail.Conn.Settings): the defaults when there are none yet. Settings
// that cannot be read as such (written by hand, or by a newer version)
// count as none, and are logged.
func (s *Service) LoadSettings(ctx context.Context, acct mail.Account) (webmail.Settings, error) {
	var raw []byte
	err := s.pool.Do(ctx, acct, "", func(c *mail.Conn) error {
		var err error
		raw, err = c.Settings(ctx)
		return err
	})
	if err != nil || len(raw) == 0 {
		return webmail.Settings{}, err
	}
	return s.decodeSettings(raw), nil
}

func (s *Service) decodeSettings(raw []byte) webmail.Settings {
	var st webmail.Settings
	if err := json.Unmarshal(raw, &st); err != nil {
		s.log.Warn("settings unreadable, defaults apply", "err", err.Error())
		return webmail.Settings{}
	}
	if err := st.Validate(); err != nil {
		s.log.Warn("settings invalid, defaults apply", "err", err.Error())
		return webmail.Settings{}
	}
	return st
}

// SaveSettings checks st (an *webmail.Error with field errors when it is
// wrong) and keeps it in the person's mailbox.
func (s *Service) SaveSettings(ctx context.Context, acct mail.Account, st webmail.Settings) error {
	if err := st.Validate(); err != nil {
		return err
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return s.pool.Do(ctx, acct, "", func(c *mail.Conn) error {
		return c.SaveSettings(ctx, acct.Auth.Login, raw, s.now())
	})
}

// UpdateSettings reads the settings afresh (another device may have
// changed them), lets change edit them, and saves the result, which it
// returns. An error of change is returned as it is, nothing saved.
func (s *Service) UpdateSettings(ctx context.Context, acct mail.Account, change func(*webmail.Settings) error) (webmail.Settings, error) {
	st, err := s.LoadSettings(ctx, acct)
	if err != nil {
		return webmail.Settings{}, err
	}
	if err := change(&st); err != nil {
		return webmail.Settings{}, err
	}
	if err := s.SaveSettings(ctx, acct, st); err != nil {
		return webmail.Settings{}, err
	}
	return st, nil
}

// AddIdentity adds an identity, or replaces the one of the same address.
// The first identity, or one marked Default, becomes the default.
// login is the address the person logged in with: an identity must be of
// its domain (the sending server decides what it accepts beyond that).
func (s *Service) AddIdentity(ctx context.Context, acct mail.Account, login string, id webmail.Identity) (webmail.Settings, error) {
	id.Address = strings.TrimSpace(id.Address)
	if err := CheckIdentity(login, id); err != nil {
		return webmail.Settings{}, err
	}
	return s.UpdateSettings(ctx, acct, func(st *webmail.Settings) error {
		i := identityIndex(st, id.Address)
		if i < 0 {
			if len(st.Identities) >= webmail.MaxIdentities {
				return &webmail.Error{Code: webmail.EInvalid, Message: "ErrTooManyIdentities", Fields: map[string]string{"address": "ErrRemoveIdentityFirst"}}
			}
			st.Identities = append(st.Identities, id)
			i = len(st.Identities) - 1
		} else {
			id.Default = id.Default || st.Identities[i].Default
			st.Identities[i] = id
		}
		if id.Default || len(st.Identities) == 1 {
			setDefault(st, i)
		}
		return nil
	})
}

// RemoveIdentity removes the identity of this address; the first one left
// becomes the default if it was. ENotFound if there is none.
func (s *Service) RemoveIdentity(ctx context.Context, acct mail.Account, addr string) (webmail.Settings, error) {
	return s.UpdateSettings(ctx, acct, func(st *webmail.Settings) error {
		i := identityIndex(st, addr)
		if i < 0 {
			return webmail.Errorf(webmail.ENotFound, "ErrNoSuchIdentity", nil)
		}
		wasDefault := st.Identities[i].Default
		st.Identities = append(st.Identities[:i:i], st.Identities[i+1:]...)
		if wasDefault && len(st.Identities) > 0 {
			setDefault(st, 0)
		}
		return nil
	})
}

// SetDefaultIdentity makes the identity of this address the default.
func (s *Service) SetDefaultIdentity(ctx context.Context, acct mail.Account, addr string) (webmail.Settings, error) {
	return s.UpdateSettings(ctx, acct, func(st *webmail.Settings) error {
		i := identityIndex(st, addr)
		if i < 0 {
			return webmail.Errorf(webmail.ENotFound, "ErrNoSuchIdentity", nil)
		}
		setDefault(st, i)
		return nil
	})
}

// AllowRemote adds a sender's address, or a domain, to the senders whose
// remote content shows at once.
func (s *Service) AllowRemote(ctx context.Context, acct mail.Account, sender string) (webmail.Settings, error) {
	sender = strings.ToLower(strings.TrimSpace(sender))
	return s.UpdateSettings(ctx, acct, func(st *webmail.Settings) error {
		for _, e := range st.RemoteContent {
			if e == sender {
				return nil
			}
		}
		st.RemoteContent = append(st.RemoteContent, sender)
		return nil
	})
}

// DisallowRemote removes a sender or domain from that list; one not there
// is no error.
func (s *Service) DisallowRemote(ctx context.Context, acct mail.Account, sender string) (webmail.Settings, error) {
	return s.UpdateSettings(ctx, acct, func(st *webmail.Settings) error {
		out := st.RemoteContent[:0]
		for _, e := range st.RemoteContent {
			if !strings.EqualFold(e, sender) {
				out = append(out, e)
			}
		}
		st.RemoteContent = out
		return nil
	})
}

// CheckIdentity checks an identity, and that its address may be sent
// from: the login's own, or another of the login's domain. The webmail
// cannot know which other addresses the sending server lets the person
// use; keeping to the domain stops the webmail from being a way to send
// as anyone, and the server may still refuse.
func CheckIdentity(login string, id webmail.Identity) error {
	if err := id.Validate(); err != nil {
		return err
	}
	_, domain, ok := strings.Cut(login, "@")
	_, idDomain, _ := strings.Cut(id.Address, "@")
	if !ok || !strings.EqualFold(domain, idDomain) {
		msg := "ErrOwnDomainOnly"
		if ok {
			msg = "ErrDomainOnly"
		}
		return &webmail.Error{Code: webmail.EInvalid, Message: "ErrIdentityInvalid", Fields: map[string]string{"address": msg}, Args: []any{"Domain", domain}}
	}
	return nil
}

func identityIndex(st *webmail.Settings, addr string) int {
	for i, id := range st.Identities {
		if strings.EqualFold(id.Address, addr) {
			return i
		}
	}
	return -1
}

func setDefault(st *webmail.Settings, i int) {
	for j := range st.Identities {
		st.Identities[j].Default = j == i
	}
}
