package browser

import (
	"context"
	"os"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"webmail/app/demo"
	"webmail/config"
)

// colorScheme emulates prefers-color-scheme.
func colorScheme(scheme string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		return emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}).Do(ctx)
	})
}

// TestScreenshots saves full-page screenshots of the main screens to
// testdata/screenshots/, for people to look at. It only runs when
// WEBMAIL_SCREENSHOTS is set, so that the tree stays clean.
func TestScreenshots(t *testing.T) {
	if os.Getenv("WEBMAIL_SCREENSHOTS") == "" {
		t.Skip("set WEBMAIL_SCREENSHOTS to save screenshots to testdata/screenshots/")
	}
	// One person signing in from several tabs at once, more often than
	// the login limit lets anyone (it answered 429 to the third).
	w := newWebmail(t, demo.Options{}, func(c *config.Config) { c.Limits.LoginBurst, c.Limits.LoginPerUser = 50, 50 })
	msg := map[string]string{
		"newsletter": w.messagePath(t, "INBOX", subjectNewsletter),
		"remote":     w.messagePath(t, "INBOX", subjectMokka),
		"invoice":    w.messagePath(t, "INBOX", subjectPDF),
		"text":       w.messagePath(t, "INBOX", subjectFlowed),
		"long":       w.messagePath(t, "INBOX", subjectLong),
	}
	type shot struct {
		name, path, wait string
	}
	message := `document.querySelector("#message [data-testid=message]")`
	for _, mode := range []struct {
		name          string
		width, height int64
		opts          []chromedp.EmulateViewportOption
		scheme        string
		shots         []shot
		noJS          bool   // JavaScript off
		theme         string // chosen on the settings page, "" for the system's
	}{
		{"desktop", 1280, 800, nil, "light", []shot{
			{"inbox-desktop", "/m/INBOX", `document.querySelector("[data-testid=row]")`},
			{"message-desktop-newsletter", msg["newsletter"], message},
			{"message-desktop-remote-blocked", msg["remote"], `document.querySelector("[data-testid=remote-blocked]")`},
			{"message-desktop-attachment", msg["invoice"], message},
			{"message-desktop-text", msg["text"], message},
			{"conversations-desktop", "/m/INBOX?threads=1", `document.querySelector("[data-testid=conversation]")`},
			{"compose-desktop", "/compose", composeReady(`document.querySelector("[data-testid=compose-form]")`)},
			{"settings-desktop", "/settings/sending", `document.querySelector("[data-testid=theme-form]")`},
		}, false, ""},
		{"desktop-dark", 1280, 800, nil, "dark", []shot{
			{"inbox-desktop-dark", "/m/INBOX", `document.querySelector("[data-testid=row]")`},
			{"message-desktop-newsletter-dark", msg["newsletter"], message},
			{"message-desktop-text-dark", msg["text"], message},
			{"compose-desktop-dark", "/compose", composeReady(`document.querySelector("[data-testid=compose-form]")`)},
			{"settings-desktop-dark", "/settings/sending", `document.querySelector("[data-testid=theme-form]")`},
		}, false, ""},
		{"wide", 1920, 1080, nil, "light", []shot{
			{"inbox-wide", "/m/INBOX", `document.querySelector("[data-testid=row]")`},
			{"message-wide-text", msg["text"], message},
			{"conversations-wide", "/m/INBOX?threads=1", `document.querySelector("[data-testid=conversation]")`},
			{"search-empty-wide", "/m/INBOX?q=zzqqxxnothing", `document.querySelector("[data-testid=empty]")`},
			{"folders-manage-wide", "/folders/manage", `document.querySelector("h1")`},
		}, false, ""},
		{"desktop-nojs-theme-dark", 1280, 800, nil, "light", []shot{
			{"inbox-desktop-nojs-dark", "/m/INBOX", `document.querySelector("[data-testid=row]")`},
			{"message-desktop-nojs-dark", msg["text"], message},
			{"compose-desktop-nojs-dark", "/compose", composeReady(`document.querySelector("[data-testid=compose-form]")`)},
		}, true, "dark"},
		{"phone", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile}, "light", []shot{
			{"inbox-phone", "/m/INBOX", `document.querySelector("[data-testid=row]")`},
			{"message-phone-text", msg["text"], message},
			{"message-phone-newsletter", msg["newsletter"], message},
			{"message-phone-long-subject", msg["long"], message},
			{"folders-phone", "/folders", `document.querySelector("#folders [data-testid=folder]")`},
			{"compose-phone", "/compose", composeReady(`document.querySelector("[data-testid=compose-form]")`)},
			{"settings-phone", "/settings/sending", `document.querySelector("[data-testid=theme-form]")`},
		}, false, ""},
		{"phone-dark", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile}, "dark", []shot{
			{"inbox-phone-dark", "/m/INBOX", `document.querySelector("[data-testid=row]")`},
			{"message-phone-text-dark", msg["text"], message},
		}, false, ""},
		{"phone-nojs", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile}, "light", []shot{
			{"inbox-phone-nojs", "/m/INBOX", `document.querySelector("[data-testid=row]")`},
			{"message-phone-nojs", msg["text"], message},
		}, true, ""},
	} {
		t.Run(mode.name, func(t *testing.T) {
			tb := newTab(t, testTimeout)
			tb.run(t, "emulating "+mode.name, chromedp.EmulateViewport(mode.width, mode.height, mode.opts...), colorScheme(mode.scheme))
			if mode.noJS {
				tb.run(t, "disabling JavaScript", chromedp.ActionFunc(disableScripts))
			}
			tb.navigate(t, w.url+"/login")
			tb.waitFor(t, "the login form", `document.querySelector("[data-testid=login-form]")`)
			tb.screenshot(t, "login-"+mode.name)
			tb.login(t, w)
			if mode.theme != "" {
				tb.navigate(t, w.url+"/settings/sending")
				tb.click(t, "[data-testid=theme-"+mode.theme+"]")
				tb.click(t, "[data-testid=theme-save]")
				tb.waitFor(t, "the theme", `document.documentElement.dataset.theme === `+jsonString(mode.theme))
			}
			for _, s := range mode.shots {
				tb.navigate(t, w.url+s.path)
				tb.waitFor(t, s.name, s.wait)
				tb.screenshot(t, s.name)
			}
		})
	}
}
