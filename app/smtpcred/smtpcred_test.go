package smtpcred

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// small are cheap parameters for tests: one pass over 64 KiB.
var small = Params{Time: 1, MemoryKiB: 64, Threads: 1}

var (
	ann     = Account{Login: "ann@example.org", Server: "imap.example.org:993"}
	annSMTP = Credential{Login: "ann.smtp@relay.example.net", Password: "correct horse battery staple ünïcödé"}
)

const annIMAPPassword = "ann's IMAP password"

func seal(t testing.TB, s *Sealer, imapPassword string, acct Account, c Credential) string {
	t.Helper()
	blob, err := s.Seal(context.Background(), imapPassword, acct, c)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return blob
}

func decodeBlob(t testing.TB, blob string) []byte {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(blob)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func encodeBlob(raw []byte) string { return base64.RawURLEncoding.EncodeToString(raw) }

// base64Forms returns the parts of the base64 encodings (standard and URL,
// padded or not) of s that depend on s alone, at each of the three byte
// alignments s can have inside a longer encoded string.
func base64Forms(s string) []string {
	var forms []string
	for shift := range 3 {
		in := append(make([]byte, shift), s...)
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			e := enc.EncodeToString(in)
			e = e[4 : len(e)-4] // drop the quanta mixed with the shift or the end
			forms = append(forms, e)
		}
	}
	return forms
}

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	s := NewSealer(small, 2)
	cases := map[string]Credential{
		"ascii":               {Login: "smtp-user", Password: "a password of some length"},
		"unicode":             annSMTP,
		"NUL in password":     {Login: "smtp-user", Password: "pass\x00word with a NUL inside"},
		"empty password":      {Login: "smtp-user", Password: ""},
		"longest that fits":   {Login: "u", Password: strings.Repeat("p", maxPlaintext-2)},
		"login equals IMAP's": {Login: ann.Login, Password: "the SMTP password differs"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			blob := seal(t, s, annIMAPPassword, ann, c)
			if len(blob) > MaxBlobLen {
				t.Fatalf("blob is %d characters, more than MaxBlobLen %d", len(blob), MaxBlobLen)
			}
			raw := decodeBlob(t, blob)
			for _, secret := range []string{c.Login, c.Password, annIMAPPassword} {
				if len(secret) < 8 {
					continue // too short to look for meaningfully
				}
				if strings.Contains(blob, secret) || bytes.Contains(raw, []byte(secret)) {
					t.Fatalf("blob contains %q in clear", secret)
				}
				for _, form := range base64Forms(secret) {
					if strings.Contains(blob, form) {
						t.Fatalf("blob contains %q, base64 of %q", form, secret)
					}
				}
			}
			got, err := s.Open(context.Background(), annIMAPPassword, ann, blob)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if got.Login != c.Login || got.Password != c.Password {
				t.Fatalf("Open = %+v, want %+v", got, c)
			}
			if s.Outdated(blob) {
				t.Fatal("a fresh blob is Outdated")
			}
		})
	}
}

func TestSealIsRandomised(t *testing.T) {
	t.Parallel()
	s := NewSealer(small, 2)
	a, b := seal(t, s, annIMAPPassword, ann, annSMTP), seal(t, s, annIMAPPassword, ann, annSMTP)
	if a == b {
		t.Fatal("two seals of the same credential are equal")
	}
	ra, rb := decodeBlob(t, a), decodeBlob(t, b)
	if bytes.Equal(ra[offSalt:offFingerprint], rb[offSalt:offFingerprint]) ||
		bytes.Equal(ra[offNonce:offCheck], rb[offNonce:offCheck]) ||
		bytes.Equal(ra[offFingerprint:offNonce], rb[offFingerprint:offNonce]) {
		t.Fatal("two seals share a salt, nonce or fingerprint")
	}
}

func TestSealRefuses(t *testing.T) {
	t.Parallel()
	s := NewSealer(small, 2)
	cases := map[string]Credential{
		"empty login":   {Login: "", Password: "x"},
		"NUL in login":  {Login: "smtp\x00user", Password: "x"},
		"one too long":  {Login: "u", Password: strings.Repeat("p", maxPlaintext-1)},
		"far too long":  {Login: "u", Password: strings.Repeat("p", 1<<20)},
		"long login":    {Login: strings.Repeat("u", maxPlaintext), Password: ""},
		"only NUL":      {Login: "\x00", Password: ""},
		"trailing NUL ": {Login: "user\x00", Password: "x"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var hooked atomic.Bool // s is shared: the subtests take turns
			s.onDerive = func(int) { hooked.Store(true) }
			defer func() { s.onDerive = nil }()
			if blob, err := s.Seal(context.Background(), annIMAPPassword, ann, c); !errors.Is(err, ErrInvalidCredential) {
				t.Fatalf("Seal = %q, %v; want ErrInvalidCredential", blob, err)
			}
			if hooked.Load() {
				t.Fatal("Seal derived a key for a credential it refuses")
			}
		})
	}
}

// TestOpenEveryByteFlipped flips every byte of a blob, one at a time and in
// several ways, and checks that none opens and each fails with the error its
// field calls for.
func TestOpenEveryByteFlipped(t *testing.T) {
	t.Parallel()
	s := NewSealer(small, 2)
	raw := decodeBlob(t, seal(t, s, annIMAPPassword, ann, annSMTP))

	// want gives the errors a flip in the field at offset i may cause.
	want := func(i int) []error {
		switch {
		case i < offParams:
			return []error{ErrMalformed}
		case i < offSalt: // out of bounds, or another key
			return []error{ErrMalformed, ErrWrongPassword}
		case i < offNonce: // the salt is part of the fingerprint
			return []error{ErrOtherAccount}
		case i < offCheck:
			return []error{ErrTampered}
		case i < headerLen:
			return []error{ErrWrongPassword}
		default:
			return []error{ErrTampered}
		}
	}
	for i := range raw {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			t.Run(fmt.Sprintf("byte %d xor %#02x", i, mask), func(t *testing.T) {
				t.Parallel()
				flipped := bytes.Clone(raw)
				flipped[i] ^= mask
				got, err := s.Open(context.Background(), annIMAPPassword, ann, encodeBlob(flipped))
				if err == nil {
					t.Fatalf("a flipped blob opened: %+v", got)
				}
				ok := false
				for _, w := range want(i) {
					ok = ok || errors.Is(err, w)
				}
				if !ok {
					t.Fatalf("Open err = %v, want one of %v", err, want(i))
				}
			})
		}
	}
}

func TestOpenRefusesMalformed(t *testing.T) {
	t.Parallel()
	s := NewSealer(small, 2)
	blob := seal(t, s, annIMAPPassword, ann, annSMTP)
	raw := decodeBlob(t, blob)
	withVersion := func(v byte) string {
		r := bytes.Clone(raw)
		r[0] = v
		return encodeBlob(r)
	}

	cases := map[string]struct {
		blob string
		want error
	}{
		"empty":                 {"", ErrMalformed},
		"not base64":            {"!!!!" + blob[4:], ErrMalformed},
		"standard base64":       {base64.StdEncoding.EncodeToString(raw), ErrMalformed},
		"padded":                {base64.URLEncoding.EncodeToString(raw) + "==", ErrMalformed},
		"whitespace":            {blob[:10] + " " + blob[10:], ErrMalformed},
		"too long":              {blob + strings.Repeat("A", MaxBlobLen), ErrMalformed},
		"header only":           {encodeBlob(raw[:headerLen]), ErrMalformed},
		"version 0":             {withVersion(0), ErrMalformed},
		"version 2":             {withVersion(2), ErrMalformed},
		"appended byte":         {encodeBlob(append(bytes.Clone(raw), 0)), ErrTampered},
		"last byte cut":         {encodeBlob(raw[:len(raw)-1]), ErrTampered},
		"tag only":              {encodeBlob(raw[:headerLen+tagLen]), ErrMalformed},
		"ciphertext swapped in": {encodeBlob(append(bytes.Clone(raw[:headerLen]), decodeBlob(t, seal(t, s, annIMAPPassword, ann, annSMTP))[headerLen:]...)), ErrTampered},
	}
	for n := range len(raw) - 1 {
		want := ErrTampered
		if n < headerLen+tagLen+2 {
			want = ErrMalformed
		}
		cases[fmt.Sprintf("truncated to %d bytes", n)] = struct {
			blob string
			want error
		}{encodeBlob(raw[:n]), want}
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Open(context.Background(), annIMAPPassword, ann, tc.blob)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open = %+v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestOpenOtherAccount(t *testing.T) {
	t.Parallel()
	s := NewSealer(small, 2)
	blob := seal(t, s, annIMAPPassword, ann, annSMTP)
	cases := map[string]Account{
		"other login":         {Login: "bob@example.org", Server: ann.Server},
		"other server":        {Login: ann.Login, Server: "imap.evil.example:993"},
		"other port":          {Login: ann.Login, Server: "imap.example.org:143"},
		"login case":          {Login: "Ann@example.org", Server: ann.Server},
		"boundary shifted":    {Login: ann.Login + "i", Server: ann.Server[1:]},
		"empty":               {},
		"login in server":     {Login: "", Server: ann.Login + ann.Server},
		"swapped":             {Login: ann.Server, Server: ann.Login},
		"trailing whitespace": {Login: ann.Login + " ", Server: ann.Server},
	}
	for name, acct := range cases {
		t.Run(name, func(t *testing.T) {
			var derived atomic.Bool // s is shared: the subtests take turns
			s.onDerive = func(int) { derived.Store(true) }
			defer func() { s.onDerive = nil }()
			// The right IMAP password, even: the account alone decides.
			if got, err := s.Open(context.Background(), annIMAPPassword, acct, blob); !errors.Is(err, ErrOtherAccount) {
				t.Fatalf("Open = %+v, %v; want ErrOtherAccount", got, err)
			}
			if derived.Load() {
				t.Fatal("Open derived a key for a blob of another account")
			}
		})
	}
}

// TestForgedFingerprint shows that the clear fingerprint is only a hint: an
// attacker who rewrites it for another account still cannot get the blob
// accepted there, because the account is bound in the associated data.
func TestForgedFingerprint(t *testing.T) {
	t.Parallel()
	s := NewSealer(small, 2)
	raw := decodeBlob(t, seal(t, s, annIMAPPassword, ann, annSMTP))
	// Same IMAP password on another server, so the key is the same.
	other := Account{Login: ann.Login, Server: "imap.evil.example:993"}
	copy(raw[offFingerprint:offNonce], fingerprint(raw[offSalt:offFingerprint], other))
	if got, err := s.Open(context.Background(), annIMAPPassword, other, encodeBlob(raw)); !errors.Is(err, ErrTampered) {
		t.Fatalf("Open = %+v, %v; want ErrTampered", got, err)
	}
}

func TestOpenAfterIMAPPasswordChange(t *testing.T) {
	t.Parallel()
	s := NewSealer(small, 2)
	blob := seal(t, s, annIMAPPassword, ann, annSMTP)
	for name, pw := range map[string]string{
		"changed":   "ann's new IMAP password",
		"empty":     "",
		"one more":  annIMAPPassword + "!",
		"one less":  annIMAPPassword[:len(annIMAPPassword)-1],
		"uppercase": strings.ToUpper(annIMAPPassword),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got, err := s.Open(context.Background(), pw, ann, blob); !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("Open = %+v, %v; want ErrWrongPassword", got, err)
			}
		})
	}
}

// goldenBlob was sealed by version 1 of this package with Params{Time: 1,
// MemoryKiB: 64, Threads: 1} for goldenAccount under goldenIMAPPassword. It
// must keep opening for as long as version 1 blobs may sit in browsers.
const goldenBlob = "AQAAAAEAAABAAT5MIYxLcVmpIsWESeXnShsierupMts-68IC4fJgoHwqlnlS6B6jfNM3jO76vSh_kmMyHgw6561GrcHhw67rEk6rBQ_ZEeyyQ1kN6Wo1vdiHKB4-DPRKQc_UgdVrfYLgtRVngOXnOx27AfV7UVybbgc"

var (
	goldenAccount      = Account{Login: "golden@example.org", Server: "imap.example.org:993"}
	goldenCredential   = Credential{Login: "golden-smtp", Password: "golden SMTP password"}
	goldenIMAPPassword = "golden IMAP password"
)

func TestOldBlobsStillOpen(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		sealedWith Params // the configuration before
		openWith   Params // the configuration now
		want       error
	}{
		"same":                      {small, small, nil},
		"stronger now":              {small, Params{Time: 2, MemoryKiB: 128, Threads: 2}, nil},
		"more threads before":       {Params{Time: 1, MemoryKiB: 64, Threads: 4}, small, nil},
		"twice the memory before":   {Params{Time: 1, MemoryKiB: 128, Threads: 1}, small, nil},
		"4x the time before":        {Params{Time: 4, MemoryKiB: 64, Threads: 1}, small, nil},
		"memory halved and time /4": {Params{Time: 8, MemoryKiB: 256, Threads: 2}, Params{Time: 2, MemoryKiB: 128, Threads: 1}, nil},
		"more than 2x memory":       {Params{Time: 1, MemoryKiB: 129, Threads: 1}, small, ErrMalformed},
		"more than 4x time":         {Params{Time: 5, MemoryKiB: 64, Threads: 1}, small, ErrMalformed},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			blob := seal(t, NewSealer(tc.sealedWith, 2), annIMAPPassword, ann, annSMTP)
			now := NewSealer(tc.openWith, 2)
			got, err := now.Open(context.Background(), annIMAPPassword, ann, blob)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open = %+v, %v; want %v", got, err, tc.want)
			}
			if err == nil && !same(got, annSMTP) {
				t.Fatalf("Open = %+v, want %+v", got, annSMTP)
			}
			if outdated := now.Outdated(blob); outdated != (tc.sealedWith != tc.openWith) {
				t.Fatalf("Outdated = %v with %+v sealed and %+v now", outdated, tc.sealedWith, tc.openWith)
			}
		})
	}

	t.Run("golden version 1 blob", func(t *testing.T) {
		t.Parallel()
		for _, p := range []Params{small, DefaultParams()} {
			got, err := NewSealer(p, 1).Open(context.Background(), goldenIMAPPassword, goldenAccount, goldenBlob)
			if err != nil || !same(got, goldenCredential) {
				t.Fatalf("with %+v: Open = %+v, %v; want %+v", p, got, err, goldenCredential)
			}
		}
	})
}

// TestHostileParams checks that parameters beyond what the server accepts
// are refused before any derivation, without allocating. It is not
// parallel: the allocation count is the whole program's.
func TestHostileParams(t *testing.T) {
	def := DefaultParams()
	raw := decodeBlob(t, seal(t, NewSealer(small, 1), annIMAPPassword, ann, annSMTP))
	with := func(p Params) string {
		r := bytes.Clone(raw)
		putParams(r[offParams:offSalt], p)
		return encodeBlob(r)
	}
	cases := map[string]Params{
		"4 GiB":                {Time: 1, MemoryKiB: 4 << 20, Threads: 1},
		"max uint32 memory":    {Time: 1, MemoryKiB: ^uint32(0), Threads: 4},
		"2x memory plus 1 KiB": {Time: def.Time, MemoryKiB: 2*def.MemoryKiB + 1, Threads: def.Threads},
		"max uint32 time":      {Time: ^uint32(0), MemoryKiB: def.MemoryKiB, Threads: def.Threads},
		"4x time plus 1":       {Time: 4*def.Time + 1, MemoryKiB: def.MemoryKiB, Threads: def.Threads},
		"zero time":            {Time: 0, MemoryKiB: def.MemoryKiB, Threads: def.Threads},
		"zero threads":         {Time: 1, MemoryKiB: def.MemoryKiB, Threads: 0},
		"zero memory":          {Time: 1, MemoryKiB: 0, Threads: 1},
		"255 threads in 1 MiB": {Time: 1, MemoryKiB: 1024, Threads: 255},
	}
	s := NewSealer(def, 4)
	var derived atomic.Bool
	s.onDerive = func(int) { derived.Store(true) }
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			blob := with(p)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			got, err := s.Open(context.Background(), annIMAPPassword, ann, blob)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Open = %+v, %v; want ErrMalformed", got, err)
			}
			if derived.Load() {
				t.Fatal("Open derived a key with hostile parameters")
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<10 {
				t.Fatalf("Open allocated %d bytes refusing hostile parameters", alloc)
			}
		})
	}
}

// TestDefaultParams is the one test at full cost.
func TestDefaultParams(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("derives at full cost")
	}
	s := NewSealer(DefaultParams(), 2)
	blob := seal(t, s, annIMAPPassword, ann, annSMTP)
	raw := decodeBlob(t, blob)
	if p := getParams(raw[offParams:offSalt]); p != DefaultParams() {
		t.Fatalf("blob carries %+v, want %+v", p, DefaultParams())
	}
	got, err := s.Open(context.Background(), annIMAPPassword, ann, blob)
	if err != nil || !same(got, annSMTP) {
		t.Fatalf("Open = %+v, %v; want %+v", got, err, annSMTP)
	}
	if s.Outdated(blob) {
		t.Fatal("a fresh blob is Outdated")
	}
}

// barrier is an onDerive hook that holds every derivation in its slot
// until opened, counting those inside at once.
type barrier struct {
	arrived chan struct{} // one per derivation that reaches the hook
	open    chan struct{}
	calls   atomic.Int32

	mu     sync.Mutex
	in     int
	peak   int
	active []int // the Sealer's own count, as each derivation started
}

func newBarrier(n int) *barrier {
	return &barrier{arrived: make(chan struct{}, n), open: make(chan struct{})}
}

func (b *barrier) onDerive(active int) {
	b.calls.Add(1)
	b.mu.Lock()
	b.in++
	b.peak = max(b.peak, b.in)
	b.active = append(b.active, active)
	b.mu.Unlock()
	b.arrived <- struct{}{}
	<-b.open
	b.mu.Lock()
	b.in--
	b.mu.Unlock()
}

func TestConcurrencyBound(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		maxConcurrent int
		sealedWith    Params // of the blobs opened
		openWith      Params
		want          int // most derivations at once; together they take every slot
	}{
		"one slot each":         {2, small, small, 2},
		"three slots":           {3, small, small, 3},
		"old blobs take two":    {2, Params{Time: 1, MemoryKiB: 128, Threads: 1}, small, 1},
		"two-slot blobs, four":  {4, Params{Time: 1, MemoryKiB: 128, Threads: 1}, small, 2},
		"one slot, old blobs":   {1, Params{Time: 1, MemoryKiB: 128, Threads: 1}, small, 1},
		"smaller blobs, 1 slot": {2, Params{Time: 1, MemoryKiB: 32, Threads: 1}, small, 2},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			blob := seal(t, NewSealer(tc.sealedWith, 1), annIMAPPassword, ann, annSMTP)
			s := NewSealer(tc.openWith, tc.maxConcurrent)
			const n = 10
			b := newBarrier(n)
			s.onDerive = b.onDerive
			var once sync.Once
			opened := func() { once.Do(func() { close(b.open) }) }
			t.Cleanup(opened)

			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := range n {
				wg.Go(func() {
					if i%2 == 0 && tc.sealedWith == tc.openWith {
						_, err := s.Seal(context.Background(), annIMAPPassword, ann, annSMTP)
						errs <- err
						return
					}
					_, err := s.Open(context.Background(), annIMAPPassword, ann, blob)
					errs <- err
				})
			}
			// The first want derivations are held in their slots. With all
			// slots taken no other can start, whenever it comes.
			for i := range tc.want {
				select {
				case <-b.arrived:
				case <-time.After(10 * time.Second):
					t.Fatalf("%d derivations started, want %d at once", i, tc.want)
				}
			}
			if held := len(s.slots); held != tc.maxConcurrent {
				t.Fatalf("%d derivations running hold %d of %d slots, want all", tc.want, held, tc.maxConcurrent)
			}
			if active := s.active.Load(); active != int32(tc.want) {
				t.Fatalf("the Sealer counts %d derivations running, want %d", active, tc.want)
			}
			opened()
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if calls := b.calls.Load(); calls != n {
				t.Fatalf("%d derivations, want %d", calls, n)
			}
			if b.peak != tc.want || slices.Max(b.active) != tc.want {
				t.Fatalf("at most %d derivations ran at once (the Sealer counted %d), want %d", b.peak, slices.Max(b.active), tc.want)
			}
			if len(s.slots) != 0 || s.active.Load() != 0 {
				t.Fatalf("%d slots held and %d derivations active after all returned", len(s.slots), s.active.Load())
			}
		})
	}
}

// blocker is an onDerive hook that holds the first derivation in its slot
// until released.
type blocker struct {
	first   atomic.Bool
	started chan struct{}
	release chan struct{}
}

func newBlocker() *blocker {
	return &blocker{started: make(chan struct{}), release: make(chan struct{})}
}

func (b *blocker) onDerive(int) {
	if b.first.CompareAndSwap(false, true) {
		close(b.started)
		<-b.release
	}
}

func TestContextEndsWhileWaiting(t *testing.T) {
	t.Parallel()
	twice := Params{Time: 1, MemoryKiB: 128, Threads: 1}
	smallBlob := seal(t, NewSealer(small, 1), annIMAPPassword, ann, annSMTP)
	bigBlob := seal(t, NewSealer(twice, 1), annIMAPPassword, ann, annSMTP)

	cases := map[string]struct {
		maxConcurrent int
		blob          string // opened while one slot is held
		waits         bool
	}{
		"one slot, all taken":               {1, smallBlob, true},
		"two slots, one free, two needed":   {2, bigBlob, true},
		"three slots, two free, two needed": {3, bigBlob, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := NewSealer(small, tc.maxConcurrent)
			b := newBlocker()
			s.onDerive = b.onDerive
			holder := make(chan error, 1)
			go func() {
				_, err := s.Open(context.Background(), annIMAPPassword, ann, smallBlob)
				holder <- err
			}()
			<-b.started

			// The deadline only keeps a broken Sealer from hanging the test.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			waiter := make(chan error, 1)
			go func() {
				_, err := s.Open(ctx, annIMAPPassword, ann, tc.blob)
				waiter <- err
			}()
			if tc.waits {
				// A waiter for slots holds the gate, and holds it until it
				// has them all or its context ends.
				for len(s.gate) == 0 {
					select {
					case err := <-waiter:
						t.Fatalf("Open returned %v without waiting for the held slot", err)
					case <-ctx.Done():
						t.Fatal("Open never waited for a slot")
					case <-time.After(time.Millisecond):
					}
				}
				cancel()
				select {
				case err := <-waiter:
					if !errors.Is(err, context.Canceled) {
						t.Fatalf("Open err = %v, want context.Canceled", err)
					}
				case <-time.After(10 * time.Second):
					t.Fatal("Open did not return after its context ended")
				}
				select {
				case err := <-holder:
					t.Fatalf("the held derivation ended (%v) before the waiter returned: it did not return for its context", err)
				default:
				}
			} else if err := <-waiter; err != nil {
				t.Fatalf("Open with free slots, while one is held: %v", err)
			}

			close(b.release)
			if err := <-holder; err != nil {
				t.Fatal(err)
			}
			// Every slot must be free again, whether the waiter held some or not.
			if len(s.slots) != 0 {
				t.Fatalf("%d slots still held", len(s.slots))
			}
			ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel2()
			if _, err := s.Open(ctx2, annIMAPPassword, ann, bigBlob); err != nil {
				t.Fatalf("Open after the wait: %v", err)
			}
		})
	}

	t.Run("already cancelled", func(t *testing.T) {
		t.Parallel()
		s := NewSealer(small, 1)
		var derived atomic.Bool
		s.onDerive = func(int) { derived.Store(true) }
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := s.Open(ctx, annIMAPPassword, ann, smallBlob); !errors.Is(err, context.Canceled) {
			t.Fatalf("Open err = %v, want context.Canceled", err)
		}
		if _, err := s.Seal(ctx, annIMAPPassword, ann, annSMTP); !errors.Is(err, context.Canceled) {
			t.Fatalf("Seal err = %v, want context.Canceled", err)
		}
		if derived.Load() {
			t.Fatal("derived with a cancelled context")
		}
	})
}

func TestNewSealerRefuses(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		p Params
		n int
	}{
		"zero time":           {Params{Time: 0, MemoryKiB: 64, Threads: 1}, 1},
		"zero threads":        {Params{Time: 1, MemoryKiB: 64, Threads: 0}, 1},
		"memory below 8/lane": {Params{Time: 1, MemoryKiB: 31, Threads: 4}, 1},
		"memory above 4 GiB":  {Params{Time: 1, MemoryKiB: 4<<20 + 1, Threads: 1}, 1},
		"zero concurrency":    {small, 0},
		"negative":            {small, -1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				if recover() == nil {
					t.Fatal("NewSealer did not panic")
				}
			}()
			NewSealer(tc.p, tc.n)
		})
	}
	if err := DefaultParams().Validate(); err != nil {
		t.Fatalf("DefaultParams: %v", err)
	}
}

func same(a, b Credential) bool { return a.Login == b.Login && a.Password == b.Password }

// TestWipe: the password Open returned is overwritten by Wipe.
func TestWipe(t *testing.T) {
	t.Parallel()
	s := NewSealer(small, 2)
	blob := seal(t, s, annIMAPPassword, ann, annSMTP)
	c, err := s.Open(context.Background(), annIMAPPassword, ann, blob)
	if err != nil {
		t.Fatal(err)
	}
	view := c.Password
	c.Wipe()
	if strings.Trim(view, "\x00") != "" || c.Password != "" {
		t.Errorf("after Wipe the password reads %q (field %q)", view, c.Password)
	}
}

// TestObserve checks what metrics read: a derivation waiting for the one
// slot counts as waiting, the one in it as running, and each reports its
// wait once it has its slot.
func TestObserve(t *testing.T) {
	t.Parallel()
	s := NewSealer(small, 1)
	var waits atomic.Int32
	s.ObserveWait(func(time.Duration) { waits.Add(1) })
	inSlot, release := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	s.onDerive = func(int) {
		if first.CompareAndSwap(false, true) {
			close(inSlot)
			<-release
		}
	}
	done := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := s.Seal(context.Background(), annIMAPPassword, ann, annSMTP)
			done <- err
		}()
	}
	<-inSlot
	for deadline := time.Now().Add(10 * time.Second); s.Waiting() != 1; {
		if time.Now().After(deadline) {
			t.Fatalf("Waiting() = %d, want 1", s.Waiting())
		}
		runtime.Gosched()
	}
	if got := s.Running(); got != 1 {
		t.Errorf("Running() = %d, want 1", got)
	}
	close(release)
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if s.Running() != 0 || s.Waiting() != 0 || waits.Load() != 2 {
		t.Errorf("after: Running %d, Waiting %d, waits reported %d; want 0, 0, 2", s.Running(), s.Waiting(), waits.Load())
	}
}
