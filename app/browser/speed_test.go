package browser

import (
	"context"
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"webmail/app/demo"
)

// timing is one htmx navigation as the page's Performance API saw it, in
// milliseconds from the click.
type timing struct {
	Request  float64 // the request sent (fetch start)
	Response float64 // the first byte back: the server's time and the network
	Body     float64 // the last byte back
	Swapped  float64 // htmx:after:swap
	Settled  float64 // htmx:after:settle
	Painted  float64 // the next animation frame after settling
}

// measure clicks the link matching sel and times what follows, until
// done holds.
func (tb *tab) measure(t *testing.T, sel, done string) timing {
	t.Helper()
	tb.eval(t, fmt.Sprintf(`(() => {
		performance.clearResourceTimings();
		const m = window.__m = {};
		const at = name => () => { if (!(name in m)) m[name] = performance.now() - m.click; };
		document.addEventListener("htmx:after:swap", at("Swapped"), {once: true});
		document.addEventListener("htmx:after:settle", () => { at("Settled")(); requestAnimationFrame(() => setTimeout(at("Painted"))); }, {once: true});
		m.click = performance.now();
		document.querySelector(%q).click();
	})()`, sel), nil)
	tb.waitFor(t, "the page to be shown", done+` && window.__m && "Painted" in window.__m`)
	var tm timing
	tb.eval(t, `(() => { const m = window.__m;
		const r = performance.getEntriesByType("resource").filter(e => e.initiatorType === "fetch" && !e.name.includes("/events"))[0];
		return {Request: r ? r.fetchStart - m.click : -1, Response: r ? r.responseStart - m.click : -1, Body: r ? r.responseEnd - m.click : -1,
			Swapped: m.Swapped, Settled: m.Settled, Painted: m.Painted}; })()`, &tm)
	return tm
}

// TestSpeed reports (never asserts) how long switching folders and
// opening a message take in Chromium, and where the time goes. It runs
// when WEBMAIL_SPEED is set: go test -run TestSpeed -v ./app/browser.
func TestSpeed(t *testing.T) {
	if os.Getenv("WEBMAIL_SPEED") == "" {
		t.Skip("set WEBMAIL_SPEED to measure folder switches and message opening")
	}
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, 3*time.Minute)
	tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
	tb.login(t, w)
	var folder, message []timing
	for i := 0; i < 10; i++ {
		folder = append(folder, tb.measure(t, `#folders [data-role=archive] a`, `location.pathname === "/m/Archive"`))
		folder = append(folder, tb.measure(t, `#folders [data-role=inbox] a`, `location.pathname === "/m/INBOX"`))
		message = append(message, tb.measure(t, fmt.Sprintf(`#list [data-testid=row]:nth-child(%d) a`, i+1), `document.querySelector("#message [data-testid=message]")`))
	}
	report := func(what string, ts []timing) {
		med := func(f func(timing) float64) float64 {
			v := make([]float64, len(ts))
			for i, x := range ts {
				v[i] = f(x)
			}
			sort.Float64s(v)
			return v[len(v)/2]
		}
		t.Logf("%s (median of %d, ms from the click): request sent %.0f, first byte %.0f, last byte %.0f, swapped %.0f, settled %.0f, painted %.0f",
			what, len(ts), med(func(x timing) float64 { return x.Request }), med(func(x timing) float64 { return x.Response }),
			med(func(x timing) float64 { return x.Body }), med(func(x timing) float64 { return x.Swapped }),
			med(func(x timing) float64 { return x.Settled }), med(func(x timing) float64 { return x.Painted }))
	}
	report("switching folders", folder)
	report("opening a message", message)

	// A cold first load of the inbox, nothing cached: when its first
	// paint (the rows) came, and when the page had loaded.
	tb.run(t, "emptying the cache", chromedp.ActionFunc(func(ctx context.Context) error {
		if err := network.Enable().Do(ctx); err != nil {
			return err
		}
		return network.SetCacheDisabled(true).Do(ctx)
	}))
	var cold [][3]float64
	for i := 0; i < 10; i++ {
		tb.navigate(t, w.url+"/m/INBOX")
		tb.waitFor(t, "the inbox loaded", `document.readyState === "complete" && performance.getEntriesByType("paint").length > 0`)
		var v [3]float64
		tb.eval(t, `(() => { const n = performance.getEntriesByType("navigation")[0];
			const p = performance.getEntriesByType("paint").find(e => e.name === "first-contentful-paint");
			return [n.responseEnd, p ? p.startTime : -1, n.loadEventEnd]; })()`, &v)
		cold = append(cold, v)
	}
	med := func(k int) float64 {
		v := make([]float64, len(cold))
		for i, x := range cold {
			v[i] = x[k]
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	t.Logf("cold first load of the inbox (median of %d, ms from navigation): page received %.0f, rows painted %.0f, loaded %.0f", len(cold), med(0), med(1), med(2))
}
