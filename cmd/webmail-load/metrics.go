package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// The series of an instance that the report shows, in its order: what a
// session costs in memory, goroutines, files and IMAP connections.
var gauges = []struct{ name, column string }{
	{"process_resident_memory_bytes", "RSS MB"},
	{"go_memstats_heap_inuse_bytes", "heap MB"},
	{"go_goroutines", "goroutines"},
	{"process_open_fds", "open files"},
	{"webmail_imap_connections_open", "IMAP conns"},
	{"webmail_live_streams_open", "streams"},
}

// watcher reads the instances' /metrics at named moments and keeps the
// highest values seen while the load runs.
type watcher struct {
	urls []*url.URL
	hc   *http.Client

	mu    sync.Mutex
	order []string                        // the moments, in the order taken
	seen  map[string][]map[string]float64 // moment → instance → series → value
}

func newWatcher(urls []*url.URL, hc *http.Client) *watcher {
	return &watcher{urls: urls, hc: hc, seen: map[string][]map[string]float64{}}
}

// snapshot reads every instance now and keeps the values as moment.
func (w *watcher) snapshot(ctx context.Context, moment string) {
	values := w.read(ctx)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.order = append(w.order, moment)
	w.seen[moment] = values
}

// peak reads every instance now and then each interval until ctx ends,
// keeping the highest value of each series as the moment "peak".
func (w *watcher) peak(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		w.raise(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// raise reads every instance and raises the "peak" moment's values to
// what it read.
func (w *watcher) raise(ctx context.Context) {
	values := w.read(ctx)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen["peak"] == nil {
		w.order = append(w.order, "peak")
		w.seen["peak"] = make([]map[string]float64, len(w.urls))
	}
	for i, v := range values {
		if w.seen["peak"][i] == nil {
			w.seen["peak"][i] = map[string]float64{}
		}
		for name, x := range v {
			w.seen["peak"][i][name] = max(w.seen["peak"][i][name], x)
		}
	}
}

// read fetches each instance's exposition; an instance that does not
// answer has no values (shown as "-").
func (w *watcher) read(ctx context.Context) []map[string]float64 {
	out := make([]map[string]float64, len(w.urls))
	for i, u := range w.urls {
		out[i] = w.readOne(ctx, u)
	}
	return out
}

func (w *watcher) readOne(ctx context.Context, u *url.URL) map[string]float64 {
	req, err := http.NewRequestWithContext(ctx, "GET", u.String(), nil)
	if err != nil {
		return nil
	}
	resp, err := w.hc.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil
	}
	values := map[string]float64{}
	for _, g := range gauges {
		f := families[g.name]
		if f == nil || len(f.GetMetric()) != 1 {
			continue
		}
		m := f.GetMetric()[0]
		switch {
		case m.GetGauge() != nil:
			values[g.name] = m.GetGauge().GetValue()
		case m.GetUntyped() != nil:
			values[g.name] = m.GetUntyped().GetValue()
		}
	}
	return values
}

// report prints one table per instance: a row per moment, a column per series.
func (w *watcher) report(out io.Writer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, u := range w.urls {
		fmt.Fprintf(out, "instance %s:\n", u.Host)
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "\t")
		for _, g := range gauges {
			fmt.Fprintf(tw, "%s\t", g.column)
		}
		fmt.Fprintln(tw)
		for _, moment := range w.order {
			fmt.Fprintf(tw, "%s\t", moment)
			for _, g := range gauges {
				v, ok := w.seen[moment][i][g.name]
				switch {
				case !ok:
					fmt.Fprint(tw, "-\t")
				case g.column == "RSS MB" || g.column == "heap MB":
					fmt.Fprintf(tw, "%.1f\t", v/(1<<20))
				default:
					fmt.Fprintf(tw, "%.0f\t", v)
				}
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
	}
}
