package contacts

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"webmail"
)

func emails(l []webmail.Contact) []string {
	var out []string
	for _, c := range l {
		out = append(out, c.Email)
	}
	return out
}

func TestIndex(t *testing.T) {
	t.Parallel()
	x := NewIndex(
		[]webmail.Contact{
			{Name: "Ann Lee", Email: "ann@example.net", Count: 4},
			{Name: "Bob", Email: "bob@example.net", Count: 1},
			{Email: "Zed@Example.net", Count: 1},
			{Name: "Jean-Luc Picard", Email: "jl@enterprise.example", Count: 2},
		},
		[]webmail.Contact{
			{Name: "Robert Builder", Email: "BOB@example.net"},
			{Name: "Carla", Email: "carla@example.org"},
		})
	// Most often seen first; of those seen as often, the book's first.
	if diff := cmp.Diff([]string{"ann@example.net", "jl@enterprise.example", "BOB@example.net", "Zed@Example.net", "carla@example.org"}, emails(x.Top(10))); diff != "" {
		t.Errorf("rank (-want +got):\n%s", diff)
	}
	for q, want := range map[string][]string{
		"b":      {"BOB@example.net"},
		"rob":    {"BOB@example.net"}, // the book's name
		"LUC":    {"jl@enterprise.example"},
		"jean-l": {"jl@enterprise.example"},
		"lee":    {"ann@example.net"},
		"zed@":   {"Zed@Example.net"},
		"":       nil,
		"  ":     nil,
		"xyz":    nil,
		"exa":    nil, // a prefix of the host is not one of the address
	} {
		if diff := cmp.Diff(want, emails(x.Suggest(q, 5))); diff != "" {
			t.Errorf("Suggest(%q) (-want +got):\n%s", q, diff)
		}
	}
	if diff := cmp.Diff([]string{"BOB@example.net", "carla@example.org"}, emails(x.Search("", 10, true))); diff != "" {
		t.Errorf("the book (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"ann@example.net", "jl@enterprise.example", "BOB@example.net"}, emails(x.Search("a", 3, false))); diff != "" {
		t.Errorf("search (-want +got):\n%s", diff)
	}
	if got := x.Top(10)[2]; got.Name != "Robert Builder" || got.Count != 1 || !got.InBook {
		t.Errorf("merged entry = %+v", got)
	}
}

func TestIndexBounded(t *testing.T) {
	t.Parallel()
	x := NewIndex(known(MaxEntries+10), nil)
	if x.Len() != MaxEntries {
		t.Errorf("Len = %d, want %d", x.Len(), MaxEntries)
	}
}

func TestCache(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	c := NewCache(2, 1<<20, 10*time.Minute, func() time.Time { return now })
	builds := 0
	build := func(partial bool) func(context.Context) (*Index, error) {
		return func(context.Context) (*Index, error) {
			builds++
			x := NewIndex(known(1), nil)
			x.Partial = partial
			return x, nil
		}
	}
	ctx := context.Background()
	c.Get(ctx, "s1", build(false))
	c.Get(ctx, "s1", build(false))
	if builds != 1 {
		t.Errorf("%d builds, want 1: the index is kept", builds)
	}
	now = now.Add(10 * time.Minute)
	c.Get(ctx, "s1", build(false))
	if builds != 2 {
		t.Errorf("%d builds, want 2: after the TTL it is built again", builds)
	}
	c.Get(ctx, "s2", build(true))
	now = now.Add(RetryPartial)
	if c.Peek("s2") != nil {
		t.Error("a partial index is kept past RetryPartial")
	}
	c.Get(ctx, "s3", build(false))
	if c.Len() != 2 {
		t.Errorf("%d indexes kept, want at most 2", c.Len())
	}
	c.Forget("s3")
	if c.Peek("s3") != nil {
		t.Error("Forget kept the index")
	}
	now = now.Add(10 * time.Minute)
	c.Sweep()
	if c.Len() != 0 {
		t.Errorf("after Sweep %d indexes kept, want 0", c.Len())
	}
	if c.Bytes() != 0 {
		t.Errorf("an empty cache counts %d bytes", c.Bytes())
	}
	if _, err := c.Get(ctx, "s4", func(context.Context) (*Index, error) { return nil, errors.New("no") }); err == nil || c.Peek("s4") != nil {
		t.Error("a failed build is kept")
	}
}

func TestCacheBudget(t *testing.T) {
	t.Parallel()
	size := int64(NewIndex(known(1000), nil).Bytes())
	c := NewCache(100, 3*size, time.Minute, nil)
	ctx := context.Background()
	for i := range 5 {
		c.Get(ctx, fmt.Sprint(i), func(context.Context) (*Index, error) { return NewIndex(known(1000), nil), nil })
	}
	if c.Len() != 3 || c.Bytes() != 3*size {
		t.Errorf("%d indexes of %d bytes kept, want 3 of %d", c.Len(), c.Bytes(), 3*size)
	}
	if c.Peek("0") != nil || c.Peek("4") == nil {
		t.Error("the least recently used should go first")
	}
}

// known makes n distinct addresses with names, counts spread out.
func known(n int) []webmail.Contact {
	out := make([]webmail.Contact, n)
	for i := range out {
		out[i] = webmail.Contact{Name: fmt.Sprintf("Person %05d Example", i), Email: fmt.Sprintf("person%05d@host%d.example.org", i, i%50), Count: i % 17}
	}
	return out
}

// BenchmarkSuggest is one keystroke's suggestions among 5,000 known
// addresses (a prefix that matches many, and one that matches few), and
// what one session's index holds in memory.
func BenchmarkSuggest(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	x := func() *Index { // the strings are the session's too
		addrs := known(5000)
		return NewIndex(addrs[:2500], addrs[2500:])
	}()
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := after.HeapAlloc - before.HeapAlloc
	for _, q := range []string{"pers", "person049", "exam"} {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				x.Suggest(q, 8)
			}
			b.ReportMetric(float64(heap), "heap-B/session")
			b.ReportMetric(float64(x.Bytes()), "est-B/session")
		})
	}
	runtime.KeepAlive(x)
}

// BenchmarkNewIndex is building one session's index of 5,000 addresses.
func BenchmarkNewIndex(b *testing.B) {
	addrs := known(5000)
	b.ReportAllocs()
	for b.Loop() {
		NewIndex(addrs[:2500], addrs[2500:])
	}
}
