// Package sessionstore keeps web sessions in Redis (go-redis), so that
// several instances of the webmail share them and a restart logs nobody
// out. It holds exactly what the memory store would: the encoded session
// (identity, the key to the credential cookie, notices), never a password
// or token (DESIGN.md S1). Keys are a hash of the session token, so that
// what Redis holds cannot be presented as a session cookie.
package sessionstore

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrUnavailable wraps every failure to reach Redis or get an answer in
// time.
var ErrUnavailable = errors.New("sessionstore: Redis is unavailable")

// keyPrefix names the webmail's keys, so one Redis can serve more.
const keyPrefix = "webmail:session:"

// Redis is a session store (scs.CtxStore) in Redis.
type Redis struct {
	client  *redis.Client
	timeout time.Duration
}

// Options configure a Redis store.
type Options struct {
	URL      string // redis://host:port/db or rediss://
	Password string
	// Timeout bounds each command, dial included.
	Timeout time.Duration
	// TLSConfig overrides the TLS settings of a rediss:// URL (tests
	// trust their own certificate with it).
	TLSConfig *tls.Config
}

// NewRedis returns a store on the Redis at opt.URL. It does not dial:
// Redis may come up after the webmail.
func NewRedis(opt Options) (*Redis, error) {
	ro, err := redis.ParseURL(opt.URL)
	if err != nil {
		return nil, errors.New("sessionstore: session.redis_url is not a Redis URL") // the URL may hold a password: not repeated
	}
	if opt.Password != "" {
		ro.Password = opt.Password
	}
	if opt.TLSConfig != nil && ro.TLSConfig != nil {
		ro.TLSConfig = opt.TLSConfig
	}
	ro.DialTimeout, ro.ReadTimeout, ro.WriteTimeout = opt.Timeout, opt.Timeout, opt.Timeout
	ro.MaxRetries = 1
	ro.ContextTimeoutEnabled = true
	return &Redis{client: redis.NewClient(ro), timeout: opt.Timeout}, nil
}

// Client is the store's Redis client, for what else the instances share
// (rate limits).
func (s *Redis) Client() *redis.Client { return s.client }

// Close closes the store's connections.
func (s *Redis) Close() error { return s.client.Close() }

// Ping checks that Redis answers, for readiness.
func (s *Redis) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return unavailable(s.client.Ping(ctx).Err())
}

func key(token string) string {
	h := sha256.Sum256([]byte(token))
	return keyPrefix + hex.EncodeToString(h[:])
}

func unavailable(err error) error {
	if err == nil || errors.Is(err, redis.Nil) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// FindCtx returns the session of token, if it exists and has not expired.
func (s *Redis) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	b, err := s.client.Get(ctx, key(token)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, unavailable(err)
	}
	return b, true, nil
}

// CommitCtx stores the session of token until expiry.
func (s *Redis) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	ttl := time.Until(expiry)
	if ttl <= 0 {
		return unavailable(s.client.Del(ctx, key(token)).Err())
	}
	return unavailable(s.client.Set(ctx, key(token), b, ttl).Err())
}

// DeleteCtx removes the session of token.
func (s *Redis) DeleteCtx(ctx context.Context, token string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return unavailable(s.client.Del(ctx, key(token)).Err())
}

// Find is FindCtx without a context (scs.Store).
func (s *Redis) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context (scs.Store).
func (s *Redis) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a context (scs.Store).
func (s *Redis) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}
