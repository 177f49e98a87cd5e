package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
)

// recorder collects the latency and outcome of every request.
type recorder struct {
	mu     sync.Mutex
	max    int
	n      int
	lat    map[string][]time.Duration
	errors map[string]int // "kind status" or "kind error text"
}

func newRecorder(max int) *recorder {
	return &recorder{max: max, lat: map[string][]time.Duration{}, errors: map[string]int{}}
}

// add records one request; false once the run's request bound is reached.
func (r *recorder) add(kind string, d time.Duration, status int, err error) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n >= r.max {
		return false
	}
	r.n++
	switch {
	case err != nil:
		r.errors[kind+" "+errorClass(err)]++
	case status != http.StatusOK:
		r.errors[fmt.Sprintf("%s status %d", kind, status)]++
	default:
		r.lat[kind] = append(r.lat[kind], d)
	}
	return r.n < r.max
}

// errorClass names an error without its variable parts (ports, paths).
func errorClass(err error) string {
	var ne net.Error
	var refused streamRefused
	switch {
	case errors.As(err, &refused):
		return refused.Error()
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection reset"
	}
	return "error"
}

func (r *recorder) errorCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.errors {
		n += c
	}
	return n
}

func (r *recorder) report(w io.Writer, o options, elapsed time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(w, "%d sessions for %v: %d requests, %.1f req/s, %d errors\n",
		o.sessions, elapsed.Round(time.Millisecond), r.n, float64(r.n)/elapsed.Seconds(), r.n-r.okCount())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tok\treq/s\tp50\tp99\t")
	for _, k := range kinds {
		lat := slices.Clone(r.lat[k])
		slices.Sort(lat)
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t\n", k, len(lat), float64(len(lat))/elapsed.Seconds(),
			fmtDuration(percentile(lat, 50)), fmtDuration(percentile(lat, 99)))
	}
	tw.Flush()
	if len(r.errors) > 0 {
		fmt.Fprintln(w, "errors:")
		for _, k := range slices.Sorted(maps.Keys(r.errors)) {
			fmt.Fprintf(w, "  %s: %d\n", k, r.errors[k])
		}
	}
	if n := len(r.lat[kindStream]); n > 0 {
		fmt.Fprintf(w, "stream latency is the time to the first bytes; each stream was then held open %v\n", o.streamHold)
	}
}

func (r *recorder) okCount() int {
	n := 0
	for _, l := range r.lat {
		n += len(l)
	}
	return n
}

// percentile is the nearest-rank percentile p of sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i, 1)-1]
}

func fmtDuration(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
}
