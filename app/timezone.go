package app

import (
	"net/http"
	"strings"
	"time"
)

// The reader's time zone: dates are shown in it. It comes from the zone
// chosen on the settings page (kept in the person's mailbox with their
// other settings, for browsers without JavaScript or a person who wants
// another zone; an older version kept it in a cookie, still read), else
// the browser's own zone (a cookie app.js sets from
// Intl.DateTimeFormat().resolvedOptions().timeZone), else the server's.
// A zone name is no secret; the server keeps nothing.

// browserZoneCookie is the cookie app.js writes; its name is fixed there.
const browserZoneCookie = "tz"

// maxZoneName bounds the zone names looked up: the longest in the tz
// database has 32 bytes.
const maxZoneName = 64

// zoneCookie is the cookie of the zone chosen on the settings page.
func (a *App) zoneCookie() string {
	if a.cfg.SecureCookies() {
		return "__Host-wm_tz"
	}
	return "wm_tz"
}

// readerZone is the zone this request's dates are shown in.
func (a *App) readerZone(r *http.Request) *time.Location {
	loc, _ := a.zoneFrom(r, a.chosenZone(r), a.cookieZone(r, browserZoneCookie))
	return loc
}

// zoneFrom is the zone chosen if any, else the browser's if any, else the
// server's, with words for where it comes from.
func (a *App) zoneFrom(r *http.Request, chosen, browser string) (*time.Location, string) {
	if loc, ok := a.zone(chosen); ok {
		return loc, tr(r, "ZoneChosen", "Zone", chosen)
	}
	if loc, ok := a.zone(browser); ok {
		return loc, tr(r, "ZoneBrowser", "Zone", browser)
	}
	now := a.now()
	name := now.Location().String()
	if name == "Local" {
		name = now.Format("MST (UTC-07:00)")
	}
	return now.Location(), tr(r, "ZoneServer", "Zone", name)
}

// cookieZone is the zone named by a cookie, "" without a known one.
func (a *App) cookieZone(r *http.Request, cookie string) string {
	c, err := r.Cookie(cookie)
	if err != nil {
		return ""
	}
	if _, ok := a.zone(c.Value); !ok {
		return ""
	}
	return c.Value
}

// chosenZone is the zone chosen on the settings page, "" for none.
func (a *App) chosenZone(r *http.Request) string {
	if z := a.settings(r).TimeZone; z != "" {
		if _, ok := a.zone(z); ok {
			return z
		}
	}
	return a.cookieZone(r, a.zoneCookie())
}

// zoneInUse names the zone dates are shown in and where it comes from.
func (a *App) zoneInUse(r *http.Request) string {
	_, s := a.zoneFrom(r, a.chosenZone(r), a.cookieZone(r, browserZoneCookie))
	return s
}

// now is the clock in the reader's zone, for the mailbox page's dates.
func (a *App) readerNow(r *http.Request) time.Time { return a.now().In(a.readerZone(r)) }

// zone looks a zone name up in the tz database, once per name: only
// names found are kept, so the cache is bounded by the database.
func (a *App) zone(name string) (*time.Location, bool) {
	if !validZoneName(name) {
		return nil, false
	}
	if loc, ok := a.zones.Load(name); ok {
		return loc.(*time.Location), true
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	a.zones.Store(name, loc)
	return loc, true
}

// validZoneName accepts what tz database names are made of ("UTC",
// "America/Argentina/Buenos_Aires", "Etc/GMT+5"), and nothing that could
// be a path out of it.
func validZoneName(name string) bool {
	if name == "" || len(name) > maxZoneName || name == "Local" || strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/_+-", r)) {
			return false
		}
	}
	return true
}
