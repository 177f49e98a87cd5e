// Package smtpcred seals a person's distinct SMTP credentials for their
// browser (DESIGN.md invariant S4). When the SMTP login differs from the IMAP
// login, the server seals the SMTP credentials under a key derived with
// Argon2id from the IMAP password and hands the blob to the browser, which
// keeps it in localStorage and sends it back with every send. The server
// keeps nothing: the blob is useless without the IMAP password, and the IMAP
// password is only ever held split between cookie and session (invariant S2).
//
// # Blob format
//
// A blob is the unpadded base64url encoding of these bytes (integers are
// big-endian):
//
//	offset  size  field
//	     0     1  format version, 1
//	     1     4  Argon2id time (passes)
//	     5     4  Argon2id memory, KiB
//	     9     1  Argon2id threads
//	    10    16  salt, random
//	    26     8  account fingerprint, first 8 bytes (see below)
//	    34    24  nonce, random (XChaCha20-Poly1305)
//	    58    16  key check: HMAC-SHA256(K, "webmail/smtp-credential/check")[:16]
//	    74   16+  ciphertext and Poly1305 tag of: SMTP login, NUL, SMTP password
//
// K is Argon2id(IMAP password, salt, time, memory, threads), 32 bytes. It is
// never used directly: the key check above and the XChaCha20-Poly1305 key,
// HMAC-SHA256(K, "webmail/smtp-credential/encrypt"), are derived from it
// under distinct labels. The account fingerprint is SHA-256 of
// "webmail/smtp-credential/account", the salt, and the IMAP login and server
// each prefixed by its length.
//
// The associated data of the AEAD is the purpose "webmail/smtp-credential",
// bytes 0 to 33 of the blob (version, parameters, salt, fingerprint) and the
// account identity (IMAP login and IMAP host:port, each length-prefixed), so
// a blob opens only for the account it was sealed for, with the parameters
// and salt it says it was sealed with. A whole blob is at most MaxBlobLen
// characters.
//
// # Opening, and why it fails
//
// Open checks, in this order and stopping at the first failure: the length,
// the encoding, the version and the parameters (ErrMalformed); the account
// fingerprint (ErrOtherAccount); then, after one Argon2id derivation, the key
// check (ErrWrongPassword) and the AEAD (ErrTampered). Everything before the
// derivation is cheap, so a blob that is not even for this account costs no
// Argon2id work. The fingerprint is only a hint for the error message: the
// account identity itself is bound in the associated data, so a fingerprint
// collision (or a forged fingerprint) still fails to open.
//
// # Parameters
//
// Open reads the Argon2id parameters from the blob, so blobs sealed before the
// operator changed the configuration still open. Because the blob comes from
// the browser, Open refuses (as ErrMalformed, before deriving anything)
// parameters above twice the configured memory or four times the configured
// passes: without this cap anyone could post a blob asking for 4 GiB and
// exhaust the server. The flip side is that an operator who lowers the memory
// to less than half, or the passes to less than a quarter, makes the older
// blobs unopenable; people then enter their SMTP credentials again. Outdated
// tells a caller when a blob that opened should be sealed again with the
// current parameters.
//
// # Memory bound
//
// Every Argon2id derivation runs behind a semaphore of maxConcurrent slots of
// the configured memory each. A derivation asking for more memory than
// configured (an older blob, up to twice) takes two slots, so the memory used
// by Argon2id at any moment stays within maxConcurrent times the configured
// memory (or twice the configured memory when maxConcurrent is 1). Waiting
// for slots ends with the request's context. This bounds the live memory;
// the Go heap also keeps the arrays of finished derivations until the next
// collection, so with GOGC=100 the heap can reach twice the bound unless
// GOMEMLIMIT is set.
package smtpcred

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// version is the first byte of every blob; it is also bound in the
// associated data.
const version byte = 1

// purpose names what a blob is for, so a key can never open something sealed
// for another purpose. The labels below derive the subkeys and fingerprint
// from it.
const (
	purpose      = "webmail/smtp-credential"
	labelEncrypt = purpose + "/encrypt"
	labelCheck   = purpose + "/check"
	labelAccount = purpose + "/account"
)

// Sizes of the blob's fields, in bytes.
const (
	paramsLen      = 4 + 4 + 1
	saltLen        = 16
	fingerprintLen = 8
	nonceLen       = chacha20poly1305.NonceSizeX
	checkLen       = 16
	tagLen         = chacha20poly1305.Overhead
	keyLen         = chacha20poly1305.KeySize

	offParams      = 1
	offSalt        = offParams + paramsLen
	offFingerprint = offSalt + saltLen
	offNonce       = offFingerprint + fingerprintLen
	offCheck       = offNonce + nonceLen
	headerLen      = offCheck + checkLen // 74
)

// MaxBlobLen is the length, in characters, of the longest blob Seal makes and
// Open accepts. Open refuses a longer one before decoding it.
const MaxBlobLen = 4096

// maxPlaintext is the longest "login NUL password" that fits in MaxBlobLen.
const maxPlaintext = MaxBlobLen*6/8 - headerLen - tagLen

// maxMemoryKiB is the largest Argon2id memory accepted anywhere (4 GiB), as
// in config.MaxArgon2MemoryKiB.
const maxMemoryKiB = 4 << 20

var (
	// ErrMalformed is returned by Open for a blob that is not one: too long,
	// not base64url, truncated, of an unknown version, or with Argon2id
	// parameters out of bounds (see the package documentation).
	ErrMalformed = errors.New("smtpcred: not a sealed SMTP credential")

	// ErrOtherAccount is returned by Open for a blob sealed for another
	// account (another IMAP login or server). It is told from the clear
	// fingerprint, without deriving a key.
	ErrOtherAccount = errors.New("smtpcred: SMTP credential sealed for another account")

	// ErrWrongPassword is returned by Open when the key derived from the
	// given IMAP password is not the one the blob was sealed with: most
	// likely the IMAP password changed since. It is told with the key check
	// stored in the blob, before the AEAD is tried.
	//
	// The key check gives an attacker who holds a blob nothing the AEAD tag
	// would not: both are deterministic functions of the Argon2id output that
	// say "this password guess is right" or not. With or without the check,
	// testing a guess offline costs one Argon2id derivation, and the HMAC or
	// the AEAD after it are microseconds. The check and the encryption key
	// are HMAC-SHA256 of the Argon2id output under distinct labels, and
	// HMAC-SHA256 is a PRF, so the check reveals nothing about the
	// encryption key either.
	ErrWrongPassword = errors.New("smtpcred: SMTP credential sealed under another IMAP password")

	// ErrTampered is returned by Open when the key check passes but the AEAD
	// does not open: the blob was changed after it was sealed.
	ErrTampered = errors.New("smtpcred: SMTP credential was tampered with")

	// ErrInvalidCredential is returned by Seal for a credential it cannot
	// seal: an empty SMTP login, a NUL in it, or credentials too long to fit
	// in MaxBlobLen.
	ErrInvalidCredential = errors.New("smtpcred: invalid SMTP credential")
)

// Params are the Argon2id cost parameters (RFC 9106).
type Params struct {
	Time      uint32 // passes over the memory
	MemoryKiB uint32 // memory per derivation, in KiB
	Threads   uint8  // lanes (parallelism)
}

// DefaultParams returns the second recommended option of RFC 9106 section 4:
// 3 passes over 64 MiB with 4 lanes. It is the default of config.Argon2.
func DefaultParams() Params {
	return Params{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}
}

// Validate reports whether p can configure a Sealer: at least one pass, one
// thread, and between 8 KiB per thread and 4 GiB of memory. These are the
// bounds config.Validate checks for argon2.*.
func (p Params) Validate() error {
	switch {
	case p.Time < 1:
		return fmt.Errorf("smtpcred: Argon2id time must be at least 1, got %d", p.Time)
	case p.Threads < 1:
		return fmt.Errorf("smtpcred: Argon2id threads must be at least 1, got %d", p.Threads)
	case uint64(p.MemoryKiB) < 8*uint64(p.Threads):
		return fmt.Errorf("smtpcred: Argon2id memory must be at least 8 KiB per thread (%d KiB), got %d", 8*uint64(p.Threads), p.MemoryKiB)
	case p.MemoryKiB > maxMemoryKiB:
		return fmt.Errorf("smtpcred: Argon2id memory must be at most %d KiB (4 GiB), got %d", maxMemoryKiB, p.MemoryKiB)
	}
	return nil
}

// Account is the non-secret identity a blob is bound to: the IMAP login name
// and the IMAP server's host:port.
type Account struct {
	Login  string
	Server string
}

// Credential is the SMTP login and password. It exists in plaintext only
// while a send authenticates to the SMTP server (invariant S3).
type Credential struct {
	Login    string
	Password string

	buf []byte // what an opened Password is a view of; see Wipe
}

// Wipe overwrites the password of a credential Open returned with zeros.
// Copies made of it are not reached (see the README).
func (c *Credential) Wipe() {
	clear(c.buf)
	c.buf, c.Password = nil, ""
}

// Sealer seals and opens SMTP credentials. It holds the current Argon2id
// parameters and bounds how many derivations run at once. It is safe for
// concurrent use.
type Sealer struct {
	params Params

	// slots is the semaphore on derivations: a derivation holds one slot
	// per multiple of params.MemoryKiB it needs (one, or two for an older
	// blob with more memory). gate makes taking several slots atomic with
	// respect to other takers, so two derivations that each need two slots
	// cannot each hold one and wait for ever.
	slots chan struct{}
	gate  chan struct{}

	active   atomic.Int32     // derivations running now
	waiting  atomic.Int32     // derivations waiting for a slot
	onDerive func(active int) // test hook: called as a derivation starts, in its slot
	onWait   func(waited time.Duration)
}

// ObserveWait has f told, after each derivation gets its slot, how long it
// waited for it (metrics). Call it before the Sealer is used.
func (s *Sealer) ObserveWait(f func(waited time.Duration)) { s.onWait = f }

// Running returns how many derivations run now.
func (s *Sealer) Running() int { return int(s.active.Load()) }

// Waiting returns how many derivations wait for a slot now.
func (s *Sealer) Waiting() int { return int(s.waiting.Load()) }

// NewSealer returns a Sealer that seals with p and runs at most maxConcurrent
// Argon2id derivations at once. It panics if p does not Validate or
// maxConcurrent is less than 1; config.Validate refuses such a configuration
// before it gets here.
func NewSealer(p Params, maxConcurrent int) *Sealer {
	if err := p.Validate(); err != nil {
		panic(err)
	}
	if maxConcurrent < 1 {
		panic(fmt.Sprintf("smtpcred: maxConcurrent must be at least 1, got %d", maxConcurrent))
	}
	return &Sealer{
		params: p,
		slots:  make(chan struct{}, maxConcurrent),
		gate:   make(chan struct{}, 1),
	}
}

// Params returns the parameters s seals with.
func (s *Sealer) Params() Params { return s.params }

// Seal encrypts c for the browser of the person logged in to acct with
// imapPassword, under a key derived from imapPassword with the current
// parameters and a fresh salt. It returns the blob, or ctx's error if ctx
// ends while waiting for a derivation slot.
func (s *Sealer) Seal(ctx context.Context, imapPassword string, acct Account, c Credential) (string, error) {
	if c.Login == "" || strings.IndexByte(c.Login, 0) >= 0 {
		return "", fmt.Errorf("%w: the login must be non-empty and contain no NUL", ErrInvalidCredential)
	}
	if len(c.Login)+1+len(c.Password) > maxPlaintext {
		return "", fmt.Errorf("%w: login and password are longer than %d bytes together", ErrInvalidCredential, maxPlaintext-1)
	}

	raw := make([]byte, headerLen, headerLen+len(c.Login)+1+len(c.Password)+tagLen)
	raw[0] = version
	putParams(raw[offParams:offSalt], s.params)
	if _, err := rand.Read(raw[offSalt:offFingerprint]); err != nil {
		return "", err
	}
	copy(raw[offFingerprint:offNonce], fingerprint(raw[offSalt:offFingerprint], acct))
	if _, err := rand.Read(raw[offNonce:offCheck]); err != nil {
		return "", err
	}

	k, err := s.derive(ctx, imapPassword, raw[offSalt:offFingerprint], s.params)
	if err != nil {
		return "", err
	}
	defer k.clear()
	copy(raw[offCheck:headerLen], k.check[:])

	plain := make([]byte, 0, len(c.Login)+1+len(c.Password))
	plain = append(plain, c.Login...)
	plain = append(plain, 0)
	plain = append(plain, c.Password...)
	defer clear(plain)
	aead, err := chacha20poly1305.NewX(k.enc[:])
	if err != nil {
		return "", err
	}
	raw = aead.Seal(raw, raw[offNonce:offCheck], plain, associatedData(raw, acct))
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// Open decrypts a blob made by Seal for acct, with the IMAP password acct
// logged in with now. It fails with ErrMalformed, ErrOtherAccount,
// ErrWrongPassword or ErrTampered (see the package documentation), or with
// ctx's error if ctx ends while waiting for a derivation slot.
func (s *Sealer) Open(ctx context.Context, imapPassword string, acct Account, blob string) (Credential, error) {
	raw, p, err := s.parse(blob)
	if err != nil {
		return Credential{}, err
	}
	salt := raw[offSalt:offFingerprint]
	if !bytes.Equal(raw[offFingerprint:offNonce], fingerprint(salt, acct)) {
		return Credential{}, ErrOtherAccount
	}

	k, err := s.derive(ctx, imapPassword, salt, p)
	if err != nil {
		return Credential{}, err
	}
	defer k.clear()
	return openWithKeys(raw, acct, k)
}

// Outdated reports whether blob was sealed with parameters other than the
// ones s seals with now (or is not a blob at all). A caller that has just
// opened an outdated blob can seal the credential again and hand the new blob
// to the browser.
func (s *Sealer) Outdated(blob string) bool {
	raw, err := decode(blob)
	return err != nil || getParams(raw[offParams:offSalt]) != s.params
}

// parse decodes blob and checks its version and parameters.
func (s *Sealer) parse(blob string) ([]byte, Params, error) {
	raw, err := decode(blob)
	if err != nil {
		return nil, Params{}, err
	}
	p := getParams(raw[offParams:offSalt])
	if err := s.acceptable(p); err != nil {
		return nil, Params{}, err
	}
	return raw, p, nil
}

// decode checks blob's length, encoding and version and returns its bytes.
func decode(blob string) ([]byte, error) {
	if len(blob) > MaxBlobLen {
		return nil, fmt.Errorf("%w: longer than %d characters", ErrMalformed, MaxBlobLen)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(blob)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: not base64url", ErrMalformed)
	case len(raw) < headerLen+tagLen+2: // at least a one-byte login and its NUL
		return nil, fmt.Errorf("%w: truncated", ErrMalformed)
	case raw[0] != version:
		return nil, fmt.Errorf("%w: unknown version %d", ErrMalformed, raw[0])
	}
	return raw, nil
}

// acceptable checks parameters read from a blob: valid, and at most twice the
// configured memory and four times the configured passes.
func (s *Sealer) acceptable(p Params) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if maxMem := 2 * uint64(s.params.MemoryKiB); uint64(p.MemoryKiB) > maxMem {
		return fmt.Errorf("%w: Argon2id memory %d KiB is more than twice the configured %d KiB", ErrMalformed, p.MemoryKiB, s.params.MemoryKiB)
	}
	if maxTime := 4 * uint64(s.params.Time); uint64(p.Time) > maxTime {
		return fmt.Errorf("%w: Argon2id time %d is more than four times the configured %d", ErrMalformed, p.Time, s.params.Time)
	}
	return nil
}

// openWithKeys checks the key check and opens the AEAD of a parsed blob.
func openWithKeys(raw []byte, acct Account, k *keys) (Credential, error) {
	if !hmac.Equal(raw[offCheck:headerLen], k.check[:]) {
		return Credential{}, ErrWrongPassword
	}
	aead, err := chacha20poly1305.NewX(k.enc[:])
	if err != nil {
		return Credential{}, err
	}
	plain, err := aead.Open(nil, raw[offNonce:offCheck], raw[headerLen:], associatedData(raw, acct))
	if err != nil {
		return Credential{}, ErrTampered
	}
	login, password, ok := bytes.Cut(plain, []byte{0})
	if !ok || len(login) == 0 {
		clear(plain)
		return Credential{}, ErrTampered // unreachable: Seal never makes such a plaintext
	}
	c := Credential{Login: string(login), buf: plain}
	if len(password) > 0 {
		c.Password = unsafe.String(&password[0], len(password)) // a view, for Wipe
	}
	return c, nil
}

// keys are the two subkeys derived from one Argon2id output.
type keys struct {
	enc   [keyLen]byte
	check [checkLen]byte
}

func (k *keys) clear() {
	clear(k.enc[:])
	clear(k.check[:])
}

// derive runs Argon2id on password and salt with p, in a slot of the
// semaphore, and derives the encryption key and key check from its output.
func (s *Sealer) derive(ctx context.Context, password string, salt []byte, p Params) (*keys, error) {
	n := int((uint64(p.MemoryKiB) + uint64(s.params.MemoryKiB) - 1) / uint64(s.params.MemoryKiB))
	n = min(max(n, 1), cap(s.slots))
	start := time.Now()
	s.waiting.Add(1)
	err := s.acquire(ctx, n)
	s.waiting.Add(-1)
	if err != nil {
		return nil, err
	}
	if s.onWait != nil {
		s.onWait(time.Since(start))
	}
	active := int(s.active.Add(1))
	if s.onDerive != nil {
		s.onDerive(active)
	}
	pw := []byte(password)
	master := argon2.IDKey(pw, salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	clear(pw)
	s.active.Add(-1)
	s.release(n)

	k := new(keys)
	mac := hmac.New(sha256.New, master)
	clear(master)
	for _, sub := range []struct {
		label string
		out   []byte
	}{{labelEncrypt, k.enc[:]}, {labelCheck, k.check[:]}} {
		mac.Reset()
		mac.Write([]byte(sub.label))
		sum := mac.Sum(nil)
		copy(sub.out, sum)
		clear(sum)
	}
	return k, nil
}

// acquire takes n slots, or none if ctx ends first.
func (s *Sealer) acquire(ctx context.Context, n int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case s.gate <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.gate }()
	for i := range n {
		select {
		case s.slots <- struct{}{}:
		case <-ctx.Done():
			s.release(i)
			return ctx.Err()
		}
	}
	return nil
}

func (s *Sealer) release(n int) {
	for range n {
		<-s.slots
	}
}

// fingerprint is the clear account hint stored in a blob. It is salted so
// that blobs of one account cannot be linked by it, nor precomputed.
func fingerprint(salt []byte, acct Account) []byte {
	h := sha256.New()
	h.Write([]byte(labelAccount))
	h.Write(salt)
	writePrefixed(h, acct.Login)
	writePrefixed(h, acct.Server)
	return h.Sum(nil)[:fingerprintLen]
}

// associatedData binds the purpose, the blob's version, parameters, salt and
// fingerprint (its first offNonce bytes) and the account identity.
func associatedData(raw []byte, acct Account) []byte {
	ad := make([]byte, 0, len(purpose)+offNonce+8+len(acct.Login)+len(acct.Server))
	ad = append(ad, purpose...)
	ad = append(ad, raw[:offNonce]...)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(acct.Login)))
	ad = append(ad, acct.Login...)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(acct.Server)))
	ad = append(ad, acct.Server...)
	return ad
}

func writePrefixed(h hash.Hash, s string) {
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(s))))
	h.Write([]byte(s))
}

func putParams(b []byte, p Params) {
	binary.BigEndian.PutUint32(b[0:4], p.Time)
	binary.BigEndian.PutUint32(b[4:8], p.MemoryKiB)
	b[8] = p.Threads
}

func getParams(b []byte) Params {
	return Params{
		Time:      binary.BigEndian.Uint32(b[0:4]),
		MemoryKiB: binary.BigEndian.Uint32(b[4:8]),
		Threads:   b[8],
	}
}
