package browser

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"webmail/app/demo"
)

// frameFit measures an HTML body's frame against its document.
type frameFit struct {
	Ready          bool
	FrameHeight    float64 // the frame's inner height
	FrameWidth     float64 // the frame's inner width
	ScrollHeight   float64 // the document's, as it would scroll inside
	ScrollWidth    float64
	ContentBottom  float64 // the lowest and rightmost edge of anything shown, as drawn
	ContentRight   float64
	Scale          string // the body's transform
	ContentHeights int    // elements measured
}

// frameFitJS evaluates to the frameFit of the frame matching %q.
const frameFitJS = `((sel) => {
	const f = document.querySelector(sel);
	const d = f && f.contentDocument;
	if (!d || d.readyState !== "complete" || !d.body || d.location.href === "about:blank") return {Ready: false};
	const de = d.documentElement;
	let bottom = 0, right = 0, n = 0;
	for (const e of d.body.querySelectorAll("*")) {
		const r = e.getBoundingClientRect();
		if (r.width === 0 && r.height === 0) continue;
		bottom = Math.max(bottom, r.bottom); right = Math.max(right, r.right); n++;
	}
	return {Ready: true, FrameHeight: de.clientHeight, FrameWidth: de.clientWidth, ScrollHeight: de.scrollHeight, ScrollWidth: de.scrollWidth,
		ContentBottom: bottom, ContentRight: right, Scale: getComputedStyle(d.body).transform, ContentHeights: n};
})(%q)`

// naturalSize waits until the frame matching sel shows all of its
// document without scrolling inside, and returns its measures.
func (tb *tab) naturalSize(t *testing.T, screen, sel string) frameFit {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		var f frameFit
		tb.eval(t, fmt.Sprintf(frameFitJS, sel), &f)
		ok := f.Ready && f.ContentHeights > 0 &&
			f.ScrollHeight <= f.FrameHeight+1 && f.ScrollWidth <= f.FrameWidth+1 &&
			f.ContentBottom <= f.FrameHeight+1 && f.ContentRight <= f.FrameWidth+1
		if ok {
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the frame %s does not show its whole document: %+v", screen, sel, f)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHTMLMailNaturalSize shows the demo's newsletter (a 600 px wide
// table) on a phone and a desktop: its frame is as tall as the newsletter,
// nothing scrolls inside it, and on the phone it is scaled to the screen's
// width rather than cut off. Without JavaScript the frame has a fixed
// height and scrolls.
func TestHTMLMailNaturalSize(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	path := w.messagePath(t, "INBOX", subjectNewsletter)
	const sel = "#message iframe[data-testid=html-body]"
	for _, size := range []struct {
		name          string
		width, height int64
		mobile        bool
	}{
		{"phone", 390, 844, true},
		{"desktop", 1280, 800, false},
	} {
		t.Run(size.name, func(t *testing.T) {
			tb := newTab(t, testTimeout)
			opts := []chromedp.EmulateViewportOption{}
			if size.mobile {
				opts = append(opts, chromedp.EmulateMobile)
			}
			tb.run(t, "emulating the screen", chromedp.EmulateViewport(size.width, size.height, opts...))
			tb.login(t, w)

			tb.navigate(t, w.url+path)
			f := tb.naturalSize(t, size.name+", full page", sel)
			if f.FrameHeight < 600 {
				t.Errorf("%s: the newsletter's frame is %.0f px tall, want its natural height (over 600 px)", size.name, f.FrameHeight)
			}
			tb.noHorizontalOverflow(t, size.name+" newsletter")
			tb.screenshot(t, "frame-newsletter-"+size.name)

			// Remote content reloads the frame; it fits again.
			tb.click(t, "[data-testid=show-remote]")
			tb.waitFor(t, "the frame with remote content", `document.querySelector("#message iframe[data-testid=html-body]")?.src.includes("remote=1")`)
			tb.naturalSize(t, size.name+", remote content shown", sel)
			tb.noHorizontalOverflow(t, size.name+" newsletter with remote content")

			// Turning the phone (or narrowing the window) fits it again.
			tb.run(t, "resizing", chromedp.EmulateViewport(size.height, size.width, opts...))
			tb.naturalSize(t, size.name+", turned", sel)
			tb.noHorizontalOverflow(t, size.name+" newsletter turned")

			// Opened through htmx from the list.
			tb.run(t, "back to the first size", chromedp.EmulateViewport(size.width, size.height, opts...))
			tb.navigate(t, w.url+"/m/INBOX")
			tb.eval(t, `window.__marker = 1`, nil)
			tb.click(t, fmt.Sprintf(`#list [data-testid=row] a[href=%q]`, path))
			tb.waitFor(t, "the newsletter through htmx", `document.querySelector("#message iframe[data-testid=html-body]") && window.__marker === 1`)
			tb.naturalSize(t, size.name+", through htmx", sel)
			tb.noHorizontalOverflow(t, size.name+" newsletter through htmx")
		})
	}

	t.Run("no JavaScript", func(t *testing.T) {
		tb := newTab(t, testTimeout)
		tb.run(t, "emulating a phone without JavaScript", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.ActionFunc(disableScripts))
		tb.login(t, w)
		tb.navigate(t, w.url+path)
		r := tb.rect(t, sel)
		if r.Height < 300 || r.Height > 844 || r.Width > 390 {
			t.Errorf("without JavaScript the frame is %.0f×%.0f px, want a fixed height that fits the screen", r.Width, r.Height)
		}
		tb.noHorizontalOverflow(t, "newsletter without JavaScript")
		tb.screenshot(t, "frame-newsletter-phone-nojs")
	})
}

// wideMessage is HTML mail 900 px wide that does not reflow (no media
// query, fixed widths), with a forwarded message of the same kind: each
// frame must scale its document down to a phone's width.
var wideMessage = strings.ReplaceAll(`From: Wide <wide@example.org>
To: demo@example.org
Subject: A wide table
Date: Mon, 2 Jun 2025 10:00:00 +0000
Message-ID: <wide@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/html; charset=utf-8

<table width="900" style="width:900px;min-width:900px" cellpadding="0" cellspacing="0"><tr>
<td style="width:450px;background:#cde">`+strings.Repeat("Left column text. ", 40)+`</td>
<td style="width:450px;background:#edc">`+strings.Repeat("Right column text. ", 40)+`</td>
</tr></table><p>Below the table.</p>
--b1
Content-Type: message/rfc822

From: Inner <inner@example.org>
To: wide@example.org
Subject: The forwarded wide table
Date: Sun, 1 Jun 2025 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<div style="width:800px;background:#dec">`+strings.Repeat("Forwarded text. ", 200)+`</div>
--b1--
`, "\n", "\r\n")

// TestHTMLMailScaled shows mail wider than a phone that cannot reflow: the
// message's frame and its forwarded message's frame scale their documents
// to the screen's width, each at its natural height.
func TestHTMLMailScaled(t *testing.T) {
	w := newWebmail(t, demo.Options{Empty: true})
	if err := w.demo.Append(context.Background(), w.acct.Login, "INBOX", []byte(wideMessage), nil, time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	path := w.messagePath(t, "INBOX", "A wide table")
	tb := newTab(t, testTimeout)
	tb.run(t, "emulating a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	tb.login(t, w)
	tb.navigate(t, w.url+path)
	for _, sel := range []string{"#message iframe[data-testid=html-body]", "#message iframe[data-testid=attached-html-body]"} {
		f := tb.naturalSize(t, sel, sel)
		if f.Scale == "none" {
			t.Errorf("%s: a 900 px document in a %.0f px frame is not scaled down", sel, f.FrameWidth)
		}
	}
	tb.noHorizontalOverflow(t, "wide message")
	tb.screenshot(t, "frame-wide-phone")
}

// TestAttachmentThumbnails shows the demo's photos as thumbnails that
// really draw (the browser decoded each image), on a desktop and a phone.
func TestAttachmentThumbnails(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	path := w.messagePath(t, "INBOX", subjectPNG)
	for _, size := range []struct {
		name          string
		width, height int64
	}{{"desktop", 1280, 800}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			tb := newTab(t, testTimeout)
			tb.run(t, "sizing the screen", chromedp.EmulateViewport(size.width, size.height))
			tb.login(t, w)
			tb.navigate(t, w.url+path)
			if n := tb.count(t, "#message img[data-testid=attachment-thumb]"); n != 2 {
				t.Fatalf("%d thumbnails, want 2", n)
			}
			tb.waitFor(t, "the thumbnails to draw", `Array.from(document.querySelectorAll("#message img[data-testid=attachment-thumb]")).every(i => i.complete && i.naturalWidth > 0)`)
			if r := tb.rect(t, "#message img[data-testid=attachment-thumb]"); r.Width > 80 || r.Height > 80 || r.Width == 0 {
				t.Errorf("the thumbnail is drawn %.0f×%.0f px, want at most 72 px a side", r.Width, r.Height)
			}
			tb.noHorizontalOverflow(t, "attachments")
			tb.screenshot(t, "attachments-thumbnails-"+size.name)
		})
	}
}

// TestFrameCannotActAsYou: the mail frame is same-origin with the app, so
// a message with remote content shown could name the app's own pages as
// its images or backgrounds, fetched with the person's cookies. Opening a
// message marks it read: another message must not do that.
func TestFrameCannotActAsYou(t *testing.T) {
	w := newWebmail(t, demo.Options{Empty: true})
	ctx := context.Background()
	date := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	target := "From: A <a@example.org>\r\nTo: demo@example.org\r\nSubject: Still unread\r\nDate: Mon, 2 Jun 2025 09:00:00 +0000\r\n\r\nUnread.\r\n"
	if err := w.demo.Append(ctx, w.acct.Login, "INBOX", []byte(target), nil, date.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	victim := w.messagePath(t, "INBOX", "Still unread")
	attack := "From: B <b@example.org>\r\nTo: demo@example.org\r\nSubject: Reads your mail for you\r\nDate: Mon, 2 Jun 2025 10:00:00 +0000\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		`<p>Hello.</p><img src="` + w.url + victim + `" width="10" height="10" alt="x">` +
		`<div style="background-image:url(` + w.url + victim + `?font=mono)">x</div>` + "\r\n"
	if err := w.demo.Append(ctx, w.acct.Login, "INBOX", []byte(attack), nil, date); err != nil {
		t.Fatal(err)
	}
	path := w.messagePath(t, "INBOX", "Reads your mail for you")

	tb := newTab(t, testTimeout)
	tb.run(t, "sizing the screen", chromedp.EmulateViewport(1280, 800))
	tb.login(t, w)
	tb.navigate(t, w.url+path)
	tb.click(t, "[data-testid=show-remote]")
	tb.waitFor(t, "the frame with remote content", `document.querySelector("#message iframe[data-testid=html-body]")?.src.includes("remote=1")`)
	// Both requests reach the server, and are refused.
	deadline := time.Now().Add(waitTimeout)
	for strings.Count(w.logs.String(), "path="+victim+" status=404") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the frame's requests for %s were not refused; log:\n%s", victim, tail(w.logs.String(), 20))
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.navigate(t, w.url+"/m/INBOX")
	if !tb.truthy(t, `document.querySelector('#list [data-testid=row][data-uid="1"]').classList.contains("unread")`) {
		t.Error("a message's image marked another message read")
	}
}
