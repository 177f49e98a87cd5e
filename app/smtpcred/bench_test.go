package smtpcred

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// BenchmarkDerive times one Argon2id derivation (and the two HMAC subkeys)
// with a few parameter sets, the configured default first.
func BenchmarkDerive(b *testing.B) {
	sets := []struct {
		name string
		p    Params
	}{
		{"default-t3-64MiB-p4", DefaultParams()},
		{"t3-64MiB-p2", Params{Time: 3, MemoryKiB: 64 << 10, Threads: 2}},
		{"t3-64MiB-p1", Params{Time: 3, MemoryKiB: 64 << 10, Threads: 1}},
		{"t1-64MiB-p4", Params{Time: 1, MemoryKiB: 64 << 10, Threads: 4}},
		{"owasp-t2-19MiB-p1", Params{Time: 2, MemoryKiB: 19 << 10, Threads: 1}},
		{"owasp-t1-46MiB-p1", Params{Time: 1, MemoryKiB: 46 << 10, Threads: 1}},
		{"t1-256MiB-p4", Params{Time: 1, MemoryKiB: 256 << 10, Threads: 4}},
	}
	salt := make([]byte, saltLen)
	for _, set := range sets {
		b.Run(set.name, func(b *testing.B) {
			s := NewSealer(set.p, 1)
			b.ReportAllocs()
			for b.Loop() {
				k, err := s.derive(context.Background(), annIMAPPassword, salt, set.p)
				if err != nil {
					b.Fatal(err)
				}
				k.clear()
			}
		})
	}
}

// BenchmarkOpen compares a whole Open at the default parameters with what
// it would cost if the derived keys were cached per session (the AEAD part
// alone).
func BenchmarkOpen(b *testing.B) {
	s := NewSealer(DefaultParams(), 1)
	blob := seal(b, s, annIMAPPassword, ann, annSMTP)
	b.Run("derive", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Open(context.Background(), annIMAPPassword, ann, blob); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached-key", func(b *testing.B) {
		raw, p, err := s.parse(blob)
		if err != nil {
			b.Fatal(err)
		}
		k, err := s.derive(context.Background(), annIMAPPassword, raw[offSalt:offFingerprint], p)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			raw, _, _ := s.parse(blob)
			if _, err := openWithKeys(raw, ann, k); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkConcurrentOpens50 opens 50 blobs at once at the default
// parameters with 4 derivation slots, and reports the highest heap seen
// (objects live or dead but not yet swept, sampled every millisecond) as
// peak-heap-MB, and the highest live heap a collection found as
// peak-live-MB. The slots bound the live Argon2id memory to 4 x 64 MiB; the
// heap also holds the arrays of finished derivations until the next
// collection, which with GOGC=100 starts when the heap doubles, so
// peak-heap-MB is up to twice the bound (GOMEMLIMIT brings it down).
// Unbounded, 50 derivations of 64 MiB would need 3.2 GB.
func BenchmarkConcurrentOpens50(b *testing.B) {
	const (
		goroutines    = 50
		maxConcurrent = 4
	)
	s := NewSealer(DefaultParams(), maxConcurrent)
	blob := seal(b, s, annIMAPPassword, ann, annSMTP)

	sample := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/live:bytes"},
	}
	heap := func() (objects, live uint64) {
		metrics.Read(sample)
		return sample[0].Value.Uint64(), sample[1].Value.Uint64()
	}
	runtime.GC()
	base, _ := heap()

	var peak, peakLive uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				objects, live := heap()
				peak, peakLive = max(peak, objects), max(peakLive, live)
			}
		}
	}()

	for b.Loop() {
		var wg sync.WaitGroup
		errs := make(chan error, goroutines)
		for range goroutines {
			wg.Go(func() {
				_, err := s.Open(context.Background(), annIMAPPassword, ann, blob)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	close(stop)
	<-sampled
	const mb = 1 << 20
	b.ReportMetric(float64(peak)/mb, "peak-heap-MB")
	b.ReportMetric(float64(peakLive)/mb, "peak-live-MB")
	b.ReportMetric(float64(base)/mb, "base-heap-MB")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*goroutines)/1e6, "ms/open")
	if testing.Verbose() {
		fmt.Printf("peak heap %.0f MiB, peak live %.0f MiB, over a base of %.1f MiB; bound %d x %d MiB\n",
			float64(peak)/mb, float64(peakLive)/mb, float64(base)/mb, maxConcurrent, DefaultParams().MemoryKiB>>10)
	}
}
