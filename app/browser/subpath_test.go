package browser

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"webmail/app/demo"
	"webmail/config"
)

// TestSubPath uses the webmail served under /mail (public_url
// "http://127.0.0.1:PORT/mail"), with JavaScript and without: logging in,
// opening a message, archiving it, and with JavaScript the live update
// stream. Every request the browser makes to the webmail is under /mail/.
func TestSubPath(t *testing.T) {
	for _, js := range []bool{true, false} {
		t.Run(map[bool]string{true: "js", false: "nojs"}[js], func(t *testing.T) {
			const root = "/mail"
			w := newWebmail(t, demo.Options{}, func(c *config.Config) { c.PublicURL += root })
			tb := newTab(t, testTimeout)
			tb.run(t, "setting up the tab", chromedp.EmulateViewport(1280, 800), chromedp.ActionFunc(func(ctx context.Context) error {
				if !js {
					return disableScripts(ctx)
				}
				_, err := page.AddScriptToEvaluateOnNewDocument(sseWatch).Do(ctx)
				return err
			}))
			// Every request the tab makes, scripts on or off (watch needs
			// the debugger, which refuses to start without scripts).
			var mu sync.Mutex
			var requests []string
			chromedp.ListenTarget(tb.ctx, func(ev any) {
				if e, ok := ev.(*network.EventRequestWillBeSent); ok {
					mu.Lock()
					requests = append(requests, e.Request.URL)
					mu.Unlock()
				}
			})

			tb.navigate(t, w.url+root+"/")
			tb.waitFor(t, "the login page", `location.pathname === "`+root+`/login" && document.querySelector("[data-testid=login-form]")`)
			tb.run(t, "filling in the login form",
				chromedp.SendKeys(`[data-testid=login-form] input[name=login]`, w.acct.Login, chromedp.ByQuery),
				chromedp.SendKeys(`[data-testid=login-form] input[name=password]`, w.acct.Password, chromedp.ByQuery),
			)
			tb.click(t, `[data-testid=login-form] button[type=submit]`)
			tb.waitFor(t, "the inbox after login", `location.pathname === "`+root+`/m/INBOX" && document.readyState === "complete" && document.querySelector("[data-testid=row]")`)
			if js && !tb.truthy(t, `typeof htmx !== "undefined"`) {
				t.Fatal("htmx did not load from under " + root)
			}
			if !js && tb.truthy(t, `typeof htmx !== "undefined"`) {
				t.Fatal("htmx ran although scripts are disabled")
			}
			if tb.str(t, `getComputedStyle(document.body).display`) == "" {
				t.Error("no style")
			}

			if js {
				// The stream connects under the root and brings new mail.
				tb.waitFor(t, "the live update stream to be watching", `window.__sse?.lastEventId`)
				subject := "Arrived under " + root
				raw := fmt.Sprintf("From: Ann <ann@example.net>\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <sub-1@example.net>\r\n\r\nHello.\r\n",
					w.acct.Login, subject, time.Now().Format(time.RFC1123Z))
				if err := w.demo.Append(context.Background(), w.acct.Login, "INBOX", []byte(raw), nil, time.Now()); err != nil {
					t.Fatal(err)
				}
				tb.waitFor(t, "the new row", `[...document.querySelectorAll("#list [data-testid=row] .subject")].some(s => s.textContent.trim() === `+jsonString(subject)+`)`)
			}

			// Open a message, archive it.
			const i = 2
			href := tb.str(t, fmt.Sprintf(`document.querySelector(%q).href`, rowSel(i)))
			subject := tb.text(t, rowSel(i)+" .subject")
			if u, _ := url.Parse(href); !strings.HasPrefix(u.Path, root+"/m/INBOX/") {
				t.Fatalf("the row links to %s", href)
			}
			tb.click(t, rowSel(i))
			tb.waitFor(t, "the message", `location.href === `+jsonString(href)+` && document.querySelector("[data-testid=msg-subject]")?.textContent.trim() === `+jsonString(subject))
			tb.click(t, "#message [data-testid=archive]")
			tb.waitFor(t, "the next message or the list after archiving",
				`location.pathname.startsWith("`+root+`/m/INBOX") && location.href !== `+jsonString(href)+` && document.readyState === "complete"`)
			deadline := time.Now().Add(waitTimeout)
			for {
				_, archived := w.mailbox(t, "Archive")
				if slices.ContainsFunc(archived, func(m mailRef) bool { return m.Subject == subject }) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%q is not in Archive", subject)
				}
				<-time.After(20 * time.Millisecond)
			}

			mu.Lock()
			defer mu.Unlock()
			n := 0
			for _, r := range requests {
				u, err := url.Parse(r)
				if err != nil || u.Host != w.host {
					continue
				}
				n++
				if !strings.HasPrefix(u.Path, root+"/") {
					t.Errorf("a request outside %s/: %s", root, r)
				}
			}
			if n == 0 {
				t.Error("no request recorded")
			}
		})
	}
}
