package app

import (
	"net/http"
	"net/url"
	"testing"
)

// TestTheme chooses dark, light and the system's colours on the settings
// page, without JavaScript: the choice lasts in this browser (a cookie)
// and every page says it on <html>.
func TestTheme(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	theme := func() (string, bool) {
		t.Helper()
		return c.page(t, "/m/INBOX", http.StatusOK).Find("html").Attr("data-theme")
	}
	if v, ok := theme(); ok {
		t.Errorf("before any choice <html data-theme=%q>, want none (the system's)", v)
	}
	for _, want := range []string{"dark", "light"} {
		resp := c.do(t, "POST", "/settings/theme", url.Values{"theme": {want}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("choosing %s: status %d, want 303", want, resp.StatusCode)
		}
		if v, _ := theme(); v != want {
			t.Errorf("after choosing %s: data-theme %q", want, v)
		}
		settings := c.page(t, "/settings/sending", http.StatusOK)
		if _, ok := settings.Find("[data-testid=theme-" + want + "]").Attr("checked"); !ok {
			t.Errorf("the settings page does not show %s as chosen", want)
		}
	}
	resp := c.do(t, "POST", "/settings/theme", url.Values{"theme": {"system"}})
	resp.Body.Close()
	if v, ok := theme(); ok {
		t.Errorf("after choosing the system's: data-theme %q, want none", v)
	}
	resp = c.do(t, "POST", "/settings/theme", url.Values{"theme": {"purple"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an unknown theme: status %d, want 422", resp.StatusCode)
	}
}
