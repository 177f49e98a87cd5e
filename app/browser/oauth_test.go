package browser

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"webmail/app/demo"
	"webmail/config"
)

// newOAuthWebmail starts the webmail with the demo's Demo ID provider on
// localhost: another site than the webmail's 127.0.0.1, so that coming back
// from the provider is a cross-site navigation, as it is with a real one.
// That is what matters for the webmail's SameSite=Strict session cookies.
func newOAuthWebmail(t *testing.T) (*webmail, *demo.Provider) {
	t.Helper()
	w := newWebmail(t, demo.Options{Empty: true, OAuth: &demo.ProviderOptions{Addr: "localhost:0"}}, func(c *config.Config) {
		// Every sign-in of the test comes from 127.0.0.1 within seconds:
		// more than the default burst of five. The limiter has tests of
		// its own in package app.
		c.Limits.LoginBurst = 100
	})
	p := w.demo.Provider()
	if p == nil {
		t.Fatal("the demo started without its OpenID Connect provider")
	}
	return w, p
}

// providerHost is the host:port of p's pages.
func providerHost(t *testing.T, p *demo.Provider) string {
	t.Helper()
	u, err := url.Parse(p.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// logConsoleOnFailure logs what Chromium reported to the tab's console if
// the test fails. A navigation that the page's CSP blocks (form-action on a
// redirect to the provider, say) leaves the page as it was, and says why
// only there.
func (tb *tab) logConsoleOnFailure(t *testing.T) {
	t.Helper()
	var (
		mu      sync.Mutex
		entries []string
	)
	chromedp.ListenTarget(tb.ctx, func(ev any) {
		if e, ok := ev.(*cdplog.EventEntryAdded); ok {
			mu.Lock()
			entries = append(entries, fmt.Sprintf("%s %s: %s", e.Entry.Source, e.Entry.Level, e.Entry.Text))
			mu.Unlock()
		}
	})
	tb.run(t, "enabling the console log", chromedp.ActionFunc(func(ctx context.Context) error {
		return cdplog.Enable().Do(ctx)
	}))
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if t.Failed() && len(entries) > 0 {
			t.Logf("browser console:\n%s", strings.Join(entries, "\n"))
		}
	})
}

// toConsent presses "Sign in with Demo ID" on the page shown and waits for
// the provider's consent page, which must be on the provider's site.
func (tb *tab) toConsent(t *testing.T, w *webmail, p *demo.Provider) {
	t.Helper()
	tb.click(t, "[data-testid=oauth-demo]")
	tb.waitFor(t, "Demo ID's consent page", `document.querySelector("[data-testid=consent-form]")`)
	u, err := url.Parse(tb.location(t))
	if err != nil {
		t.Fatal(err)
	}
	if u.Host != providerHost(t, p) || u.Host == w.host {
		t.Errorf("the consent page is at %s, want it on the provider's host %s, not the webmail's %s", u, providerHost(t, p), w.host)
	}
}

// consent picks account on the consent page and presses decision, "allow"
// or "deny".
func (tb *tab) consent(t *testing.T, account, decision string) {
	t.Helper()
	radio := fmt.Sprintf("[data-testid=consent-account][value=%q]", account)
	tb.click(t, radio)
	if !tb.truthy(t, fmt.Sprintf(`document.querySelector(%q).checked`, radio)) {
		t.Fatalf("clicking %s did not check it", account)
	}
	tb.click(t, "[data-testid=consent-"+decision+"]")
}

// signedOut fails unless the inbox, loaded now, asks for a login.
func (tb *tab) signedOut(t *testing.T, w *webmail, when string) {
	t.Helper()
	tb.navigate(t, w.url+"/m/INBOX")
	if u, _ := url.Parse(tb.location(t)); u.Host != w.host || u.Path != "/login" {
		t.Errorf("%s /m/INBOX shows %s, want the login page", when, u)
	}
}

// phoneLogin checks the login page on a phone: the page no wider than the
// screen, and the provider's button big enough to tap and all in view.
func (tb *tab) phoneLogin(t *testing.T) {
	t.Helper()
	tb.noHorizontalOverflow(t, "login page")
	if small := tb.smallTargets(t, "[data-testid=providers]"); len(small) > 0 {
		t.Errorf("login page: sign-in buttons under %d px tall: %s", minTap, strings.Join(small, "; "))
	}
	const sel = "[data-testid=oauth-demo]"
	b := tb.rect(t, sel)
	if b.Height < minTap {
		t.Errorf("the Sign in with Demo ID button is %.1f px tall, want at least %d px", b.Height, minTap)
	}
	if b.Left < 0 || b.Top < 0 || b.Right > 390 || b.Bottom > 844 {
		t.Errorf("the Sign in with Demo ID button is not all in the 390×844 screen: %+v", b)
	}
	// In view is not enough: nothing may lie on top of it.
	if !tb.truthy(t, fmt.Sprintf(`(() => { const b = document.querySelector(%q), r = b.getBoundingClientRect();
		return b.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)); })()`, sel)) {
		t.Error("the Sign in with Demo ID button is covered by another element")
	}
}

// TestOAuth signs in with Demo ID and out again in a real browser, with
// JavaScript, without it and on a phone, and refuses the consent once.
// Chromium enforces what a cookie jar in a unit test does not: CSP
// form-action on the redirect to the provider, and SameSite=Strict on the
// session cookies, which the browser holds back on the provider's
// cross-site redirect back and must send from the next page on.
func TestOAuth(t *testing.T) {
	w, p := newOAuthWebmail(t)

	for _, tt := range []struct {
		name    string
		setup   []chromedp.Action
		scripts bool
		phone   bool
		account string
	}{
		{
			name:    "desktop",
			setup:   []chromedp.Action{chromedp.EmulateViewport(1280, 800)},
			scripts: true,
			account: "alice@example.org",
		},
		{
			name:    "no JavaScript",
			setup:   []chromedp.Action{chromedp.EmulateViewport(1280, 800), chromedp.ActionFunc(disableScripts)},
			account: "alice@example.org",
		},
		{
			// The account the consent page checks first.
			name:    "phone",
			setup:   []chromedp.Action{chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)},
			scripts: true,
			phone:   true,
			account: "demo@example.org",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTab(t, testTimeout)
			tb.logConsoleOnFailure(t)
			tb.run(t, "setting up the tab", tt.setup...)
			tb.navigate(t, w.url+"/login")
			tb.waitFor(t, "the sign-in button", `document.querySelector("[data-testid=oauth-demo]")`)
			if got, want := tb.text(t, "[data-testid=oauth-demo]"), "Sign in with Demo ID"; got != want {
				t.Errorf("the provider's button says %q, want %q", got, want)
			}
			if tt.phone {
				tb.phoneLogin(t)
				tb.screenshot(t, "login-oauth-phone")
			}

			tb.toConsent(t, w, p)
			if tt.phone {
				tb.noHorizontalOverflow(t, "consent page")
				if small := tb.smallTargets(t, "main"); len(small) > 0 {
					t.Errorf("consent page: touch targets under %d px tall: %s", minTap, strings.Join(small, "; "))
				}
				tb.screenshot(t, "consent-phone")
			}
			tb.consent(t, tt.account, "allow")
			// The provider's redirect lands on the "Signed in" page, whose
			// refresh, same-site, brings the Strict cookies along.
			tb.waitFor(t, "the inbox of "+tt.account, fmt.Sprintf(`location.host === %q && location.pathname === "/m/INBOX" && document.readyState === "complete" && `+
				`document.querySelector("[data-testid=account]")?.textContent.trim() === %q`, w.host, tt.account))
			if ran := tb.truthy(t, `typeof htmx === "object"`); ran != tt.scripts {
				t.Errorf("htmx ran: %v, want %v", ran, tt.scripts)
			}
			if tt.phone {
				// Sending uses the sign-in: the settings say so, with no
				// SMTP form to fill in.
				tb.navigate(t, w.url+"/settings/sending")
				tb.waitFor(t, "the sending settings", `document.querySelector("[data-testid=smtp-status]")?.textContent.includes("Demo ID") && !document.querySelector("[data-testid=smtp-form]")`)
				tb.noHorizontalOverflow(t, "sending settings")
				tb.screenshot(t, "settings-oauth-phone")
			}

			before := p.Revocations()
			tb.click(t, "[data-testid=logout]")
			tb.waitFor(t, "the login page after logging out", `location.pathname === "/login" && location.search === "?logged_out=1" && `+
				`document.querySelector("[data-testid=login-form]")`)
			if got := p.Revocations() - before; got != 1 {
				t.Errorf("logging out revoked %d tokens at Demo ID, want 1", got)
			}
			tb.signedOut(t, w, "after logging out")
			if hits := tb.proxy.take(); len(hits) > 0 {
				t.Errorf("the browser went beyond loopback: %q", hits)
			}
		})
	}

	t.Run("deny", func(t *testing.T) {
		tb := newTab(t, testTimeout)
		tb.logConsoleOnFailure(t)
		tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
		tb.navigate(t, w.url+"/login")
		before := p.Revocations()
		tb.toConsent(t, w, p)
		tb.consent(t, "alice@example.org", "deny")
		tb.waitFor(t, "the login page with an error", fmt.Sprintf(`location.host === %q && document.querySelector("[data-testid=login-error]")`, w.host))
		if got, want := tb.text(t, "[data-testid=login-error]"), "You did not allow access at Demo ID"; !strings.Contains(got, want) {
			t.Errorf("after Deny the login page says %q, want it to contain %q", got, want)
		}
		if n := tb.count(t, "[data-testid=oauth-demo]"); n != 1 {
			t.Errorf("after Deny the login page has %d Sign in with Demo ID buttons, want 1", n)
		}
		if p.Revocations() != before {
			t.Errorf("Deny revoked %d tokens, want none: no token was issued", p.Revocations()-before)
		}
		tb.signedOut(t, w, "after Deny")
		// The button works again: a new sign-in starts.
		tb.toConsent(t, w, p)
		if hits := tb.proxy.take(); len(hits) > 0 {
			t.Errorf("the browser went beyond loopback: %q", hits)
		}
	})
}
