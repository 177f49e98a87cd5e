package app

import (
	"context"
	"net/http"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"webmail"
)

// The person's settings live in their mailbox (usecase.LoadSettings); each
// instance keeps a session's copy in memory for settingsTTL, so that a
// page costs no IMAP command for them in the steady state, and a save on
// another instance (or another device) shows within that time. At most
// settingsSessions sessions' settings are kept (a few KB each), the least
// recently used dropped first; logout drops the session's.
const (
	settingsSessions = 10000
	settingsTTL      = 2 * time.Minute
)

type settingsCache struct {
	lru   *lru.Cache[string, keptSettings]
	now   func() time.Time
	group singleflight.Group
}

type keptSettings struct {
	st   webmail.Settings
	read time.Time
}

func newSettingsCache(now func() time.Time) *settingsCache {
	c, _ := lru.New[string, keptSettings](settingsSessions)
	return &settingsCache{lru: c, now: now}
}

// get is the session's settings if read less than settingsTTL ago.
func (c *settingsCache) get(sid string) (webmail.Settings, bool) {
	k, ok := c.lru.Get(sid)
	if !ok || c.now().Sub(k.read) >= settingsTTL {
		return webmail.Settings{}, false
	}
	return k.st, true
}

func (c *settingsCache) put(sid string, st webmail.Settings) {
	c.lru.Add(sid, keptSettings{st: st, read: c.now()})
}

// settings are the request's person's settings: from this instance's
// memory, else read from the mailbox. When they cannot be read (the mail
// server is down), the defaults apply to this request and the failure is
// logged: a page is not refused for want of its settings. The language
// (Settings.Language: "" for the browser's) and the rest are read here.
func (a *App) settings(r *http.Request) webmail.Settings {
	st, err := a.loadSettings(r)
	if err != nil {
		a.log.Warn("settings unavailable, defaults apply", "err", err.Error())
	}
	return st
}

// loadSettings is settings with the error of reading them.
func (a *App) loadSettings(r *http.Request) (webmail.Settings, error) {
	acct := accountFrom(r)
	if acct.sid == "" {
		return webmail.Settings{}, nil
	}
	if st, ok := a.prefs.get(acct.sid); ok {
		return st, nil
	}
	v, err, _ := a.prefs.group.Do(acct.sid, func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), a.cfg.IMAPTimeout.Duration)
		defer cancel()
		st, err := a.uc.LoadSettings(ctx, acct.mail())
		if err != nil {
			return webmail.Settings{}, err
		}
		a.prefs.put(acct.sid, st)
		return st, nil
	})
	return v.(webmail.Settings), err
}

// cachedSettings are the settings if this instance has them at hand, else
// the defaults; it reads nothing (for what every page shows, such as the
// density, even an error page whose mail server is down).
func (a *App) cachedSettings(r *http.Request) webmail.Settings {
	if sid := accountFrom(r).sid; sid != "" {
		st, _ := a.prefs.get(sid)
		return st
	}
	return webmail.Settings{}
}

// keepSettings notes settings just saved, for this session.
func (a *App) keepSettings(r *http.Request, st webmail.Settings) {
	if sid := accountFrom(r).sid; sid != "" {
		a.prefs.put(sid, st)
	}
}

// updateSettings changes the person's settings in their mailbox (read
// afresh, changed, saved: usecase.UpdateSettings) and keeps the result
// for this session.
func (a *App) updateSettings(r *http.Request, change func(*webmail.Settings) error) error {
	st, err := a.uc.UpdateSettings(r.Context(), accountFrom(r).mail(), change)
	if err != nil {
		return err
	}
	a.keepSettings(r, st)
	return nil
}
