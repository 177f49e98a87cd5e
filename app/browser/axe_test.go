package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"webmail/app/demo"
	"webmail/config"
)

// axeViolation is one rule axe-core found broken, with where.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"` // CSS selectors of the first few elements
}

// axeSource is axe-core's script (testdata/axe), read once.
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// axe runs axe-core on the tab's document and returns its violations. The
// script is evaluated through DevTools, so the page's CSP does not apply
// and it works with page scripts disabled. Frames (the sandboxed message)
// are mail, not ours, and left out.
func (tb *tab) axe(t *testing.T, src string) []axeViolation {
	t.Helper()
	var loaded bool
	tb.eval(t, "typeof window.axe === 'object'", &loaded)
	if !loaded {
		var ok bool
		tb.eval(t, "(() => {"+src+"\n; return true })()", &ok)
	}
	var v []axeViolation
	awaitPromise := func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }
	tb.run(t, "running axe-core", chromedp.Evaluate(`axe.run(document, {iframes: false, resultTypes: ["violations"]}).then(r =>
		r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
			nodes: v.nodes.slice(0, 4).map(n => n.target.join(" "))})))`, &v, awaitPromise))
	return v
}

// mustPass are the moderate axe rules held to zero like the serious ones:
// one h1 per page and every part of it in a landmark.
func mustPass(id string) bool {
	return id == "page-has-heading-one" || id == "region" || strings.HasPrefix(id, "landmark-")
}

// shownH1s counts the h1 elements a screen reader finds: those in the
// layout (a visually hidden one too), not under display: none.
const shownH1s = `[...document.querySelectorAll("h1")].filter(h => h.getClientRects().length > 0 && !h.closest("[aria-hidden=true]")).length`

// TestAxe runs axe-core on every main screen, in light and dark, on a
// desktop and a phone, with JavaScript on and off: no critical or serious
// violation, none of one h1 and landmarks (mustPass), and one h1 a screen
// reader finds; the rest are printed.
func TestAxe(t *testing.T) {
	t.Parallel()
	// One person signing in from several tabs at once, more often than
	// the login limit lets anyone (it answered 429 to the third).
	w := newWebmail(t, demo.Options{}, func(c *config.Config) { c.Limits.LoginBurst, c.Limits.LoginPerUser = 50, 50 })
	src := axeSource(t)
	message := w.messagePath(t, "INBOX", "Re: Dinner on Saturday?") // quoted text
	screens := []struct{ name, path, wait string }{
		{"list", "/m/INBOX", `document.querySelector("[data-testid=row]")`},
		{"message", message, `document.querySelector("#message [data-testid=message]")`},
		{"conversation", "", `document.querySelector("#message [data-testid=conversation-view]")`},
		{"compose", "/compose", `document.querySelector("form textarea")`},
		{"settings", "/settings/sending", `document.querySelector("[data-testid=smtp-form]")`},
		{"folders", "/folders", `document.querySelector("#folders [data-testid=folder]")`},
		{"folders-manage", "/folders/manage", `document.querySelector("main, form")`},
		{"contacts", "/contacts", `document.querySelector("main, h1")`},
	}
	for _, mode := range []struct {
		name          string
		width, height int64
		opts          []chromedp.EmulateViewportOption
		scheme        string
		noJS          bool
	}{
		{"desktop", 1280, 800, nil, "light", false},
		{"desktop-dark", 1280, 800, nil, "dark", false},
		{"phone", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile}, "light", false},
		{"phone-dark", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile}, "dark", false},
		{"desktop-nojs", 1280, 800, nil, "light", true},
		{"phone-dark-nojs", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile}, "dark", true},
	} {
		t.Run(mode.name, func(t *testing.T) {
			tb := newTab(t, 3*time.Minute)
			tb.run(t, "emulating "+mode.name, chromedp.EmulateViewport(mode.width, mode.height, mode.opts...), colorScheme(mode.scheme))
			if mode.noJS {
				tb.run(t, "disabling scripts", chromedp.ActionFunc(disableScripts))
			}
			check := func(screen string) {
				t.Helper()
				tb.screenshot(t, "axe-"+screen+"-"+mode.name)
				if mode.noJS {
					// axe needs timers, which a page without scripts does
					// not run: scripts back on for the check only (the
					// page's own scripts were skipped and stay so).
					tb.run(t, "enabling scripts for axe", chromedp.ActionFunc(func(ctx context.Context) error {
						return emulation.SetScriptExecutionDisabled(false).Do(ctx)
					}))
					defer tb.run(t, "disabling scripts", chromedp.ActionFunc(disableScripts))
				}
				var bad, rest []string
				for _, v := range tb.axe(t, src) {
					line := fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
					if v.Impact == "critical" || v.Impact == "serious" || mustPass(v.ID) {
						bad = append(bad, line)
					} else {
						rest = append(rest, line)
					}
				}
				if n := tb.num(t, shownH1s); n != 1 {
					t.Errorf("%s, %s: %v h1 shown, want 1", screen, mode.name, n)
				}
				if len(bad) > 0 {
					t.Errorf("%s, %s: %d critical, serious or landmark axe violations:\n\t%s", screen, mode.name, len(bad), strings.Join(bad, "\n\t"))
				}
				if len(rest) > 0 {
					t.Logf("%s, %s: other axe violations:\n\t%s", screen, mode.name, strings.Join(rest, "\n\t"))
				}
			}
			tb.navigate(t, w.url+"/login")
			tb.waitFor(t, "the login form", `document.querySelector("[data-testid=login-form]")`)
			check("login")
			tb.login(t, w)
			for _, s := range screens {
				if s.name == "conversation" { // the first with several messages
					tb.navigate(t, w.url+"/m/INBOX?threads=1")
					s.path = tb.str(t, `document.querySelector("[data-testid=conversation]:has([data-testid=thread-count]) a").getAttribute("href")`)
				}
				tb.navigate(t, w.url+s.path)
				tb.waitFor(t, s.name, s.wait)
				check(s.name)
			}
		})
	}
}
