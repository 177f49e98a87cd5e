package demo

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/oauth2-proxy/mockoidc"
)

// MailScope is the OAuth 2.0 scope that grants access to a mailbox over IMAP
// and SMTP. The provider requires it, with "openid" and "email", in every
// authorization request.
const MailScope = "mail"

const (
	revocationEndpoint = "/oidc/revoke" // RFC 7009; mockoidc has none

	defaultAccessTTL  = time.Hour
	defaultRefreshTTL = 24 * time.Hour
	defaultClientName = "Webmail"
	// codeTTL is the lifetime of an authorization code, the maximum that
	// RFC 6749 section 4.1.2 recommends.
	codeTTL = 10 * time.Minute
)

// ProviderOptions configures the demo OpenID Connect provider. The zero value
// serves on a random loopback port and accepts any loopback redirect URI.
type ProviderOptions struct {
	// Addr is the listening address; the default is "127.0.0.1:0". The
	// issuer URL uses its host as given, so "localhost:0" gives the issuer
	// http://localhost:PORT/oidc, a host that differs from 127.0.0.1.
	Addr string
	// RedirectURIs are the client's registered redirect URIs, matched
	// exactly. When empty, any http URI on 127.0.0.1, localhost or [::1]
	// (any port) is accepted, as RFC 8252 section 7.3 allows for loopback
	// clients.
	RedirectURIs []string
	// ClientName names the client on the consent page; the default is
	// "Webmail".
	ClientName string
	// AccessTTL and RefreshTTL are the lifetimes of access and refresh
	// tokens; the defaults are one hour and 24 hours. Refresh tokens are not
	// rotated, so a sign-in lasts RefreshTTL.
	AccessTTL, RefreshTTL time.Duration
	// Middleware, when set, wraps the whole provider handler, so that tests
	// can inject faults: rewrite responses, fail requests, delay them.
	Middleware func(http.Handler) http.Handler
	// Logger receives the provider's diagnostics, never a token or a code;
	// the default discards them (Start passes Options.Logger).
	Logger *slog.Logger
}

func (opt ProviderOptions) withDefaults() ProviderOptions {
	if opt.Addr == "" {
		opt.Addr = defaultAddr
	}
	if opt.ClientName == "" {
		opt.ClientName = defaultClientName
	}
	if opt.AccessTTL <= 0 {
		opt.AccessTTL = defaultAccessTTL
	}
	if opt.RefreshTTL <= 0 {
		opt.RefreshTTL = defaultRefreshTTL
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return opt
}

// Provider is the demo's OpenID Connect provider ("Demo ID"), built on
// mockoidc. It serves the authorization code flow with PKCE (S256 only), a
// consent page on which the person picks one of the demo accounts, refresh
// tokens, and token revocation (RFC 7009), and it validates its own access
// tokens for the demo IMAP and SMTP servers.
//
// It is stricter than mockoidc, as a real provider is: PKCE, state and nonce
// are required, redirect URIs are checked, authorization codes are single-use
// and short-lived, and every failed grant answers invalid_grant.
type Provider struct {
	log          *slog.Logger
	opt          ProviderOptions
	accounts     []Account
	issuer       string
	clientID     string
	clientSecret string
	discovery    []byte // the discovery document, fixed once the issuer is known
	jwks         []byte
	page         *template.Template // the consent and error page
	csp          string

	srv       *http.Server
	ln        net.Listener
	serving   sync.WaitGroup
	closeOnce sync.Once
	closeErr  error

	// mu serializes every use of m, whose session maps and clock are not
	// safe for concurrent use, and guards the fields below.
	mu          sync.Mutex
	m           *mockoidc.MockOIDC
	grants      map[string]*grant // by authorization code: mockoidc's session ID and its tokens' jti
	tokens      map[tokenHash]*issuedToken
	revocations int
}

// grant is one authorization: from the consent to its code, and from the
// code's redemption to the tokens issued for it.
type grant struct {
	account       string // address
	redirectURI   string
	challenge     string    // PKCE S256 code challenge
	codeExpiry    time.Time // on the provider's clock
	redeemed      bool
	refreshExpiry time.Time // set at redemption
	tokens        map[tokenHash]bool
}

// tokenHash identifies an issued token without keeping it: mockoidc's access
// and refresh tokens carry the same claims, so only the provider's own
// record tells them apart and says whether their grant still stands.
type tokenHash [sha256.Size]byte

func hashToken(token string) tokenHash { return sha256.Sum256([]byte(token)) }

type tokenKind uint8

const (
	accessToken tokenKind = 1 << iota
	refreshToken
)

type issuedToken struct {
	grant  string
	kinds  tokenKind // both when the TTLs are equal and the two JWTs coincide
	expiry time.Time
}

// StartProvider starts an OpenID Connect provider for the given accounts.
// The context bounds the start-up only; call Close to stop it.
func StartProvider(ctx context.Context, accounts []Account, opt ProviderOptions) (*Provider, error) {
	if len(accounts) == 0 {
		return nil, errors.New("demo: the OpenID Connect provider needs accounts")
	}
	opt = opt.withDefaults()
	// A fresh key rather than mockoidc's default one, whose private half is
	// published with its source.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	m, err := mockoidc.NewServer(key)
	if err != nil {
		return nil, err
	}
	m.AccessTTL, m.RefreshTTL = opt.AccessTTL, opt.RefreshTTL
	m.CodeChallengeMethodsSupported = []string{mockoidc.CodeChallengeMethodS256}
	// JWKS computes the key ID, which mockoidc would otherwise write lazily
	// on its first use.
	jwks, err := m.Keypair.JWKS()
	if err != nil {
		return nil, err
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", opt.Addr)
	if err != nil {
		return nil, fmt.Errorf("demo: OpenID Connect provider: %w", err)
	}
	p := &Provider{
		log:          opt.Logger.With("protocol", "OIDC"),
		opt:          opt,
		accounts:     slices.Clone(accounts),
		clientID:     m.ClientID,
		clientSecret: m.ClientSecret,
		jwks:         jwks,
		page:         consentTemplate(),
		csp:          consentCSP(),
		ln:           ln,
		m:            m,
		grants:       make(map[string]*grant),
		tokens:       make(map[tokenHash]*issuedToken),
	}
	p.srv = &http.Server{
		Addr:              issuerHostPort(opt.Addr, ln.Addr()),
		Handler:           p.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(p.log.Handler(), slog.LevelError),
	}
	// mockoidc derives its issuer and endpoint URLs from Server.Addr.
	m.Server = p.srv
	p.issuer = m.Issuer()
	if p.discovery, err = p.discoveryDocument(); err != nil {
		ln.Close()
		return nil, err
	}

	p.serving.Add(1)
	go func() {
		defer p.serving.Done()
		if err := p.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.log.Error("OpenID Connect provider stopped", "err", err)
		}
	}()
	p.log.Info("demo OpenID Connect provider started", "issuer", p.issuer)
	return p, nil
}

// issuerHostPort returns the host:port of the issuer URL: the host as
// configured, so that "localhost:0" stays localhost, with the port actually
// bound. A wildcard host is replaced by the IPv4 loopback address.
func issuerHostPort(configured string, bound net.Addr) string {
	host, _, _ := net.SplitHostPort(configured)
	_, port, _ := net.SplitHostPort(bound.String())
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func (p *Provider) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+mockoidc.DiscoveryEndpoint, p.serveDiscovery)
	mux.HandleFunc("GET "+mockoidc.JWKSEndpoint, p.serveJWKS)
	mux.HandleFunc("GET "+mockoidc.AuthorizationEndpoint, p.authorize)
	mux.HandleFunc("POST "+mockoidc.AuthorizationEndpoint, p.decide)
	mux.HandleFunc("POST "+mockoidc.TokenEndpoint, p.token)
	mux.HandleFunc("POST "+revocationEndpoint, p.revoke)
	mux.HandleFunc("GET "+mockoidc.UserinfoEndpoint, p.userinfo)
	mux.HandleFunc("POST "+mockoidc.UserinfoEndpoint, p.userinfo)
	if p.opt.Middleware != nil {
		return p.opt.Middleware(mux)
	}
	return mux
}

// Issuer returns the issuer URL, for example http://127.0.0.1:PORT/oidc;
// its discovery document is at Issuer()+"/.well-known/openid-configuration".
func (p *Provider) Issuer() string { return p.issuer }

// ClientID returns the client ID of the provider's one client, the webmail.
func (p *Provider) ClientID() string { return p.clientID }

// ClientSecret returns the client secret, random for each start.
func (p *Provider) ClientSecret() string { return p.clientSecret }

// FastForward moves the provider's clock forward by d: tokens and codes
// expire in its eyes, and tokens issued afterwards carry the later times.
func (p *Provider) FastForward(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.m.FastForward(d)
}

// Revocations returns how many grants have been revoked through the
// revocation endpoint: requests for a token that was already revoked,
// expired or unknown do not count.
func (p *Provider) Revocations() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.revocations
}

// ValidateToken checks an access token as a resource server would: its
// signature, its expiry on the provider's clock, and that its grant was not
// revoked. It returns the address of the account the token was issued for.
// Refresh and ID tokens are refused.
func (p *Provider) ValidateToken(token string) (email string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.validateLocked(token)
}

func (p *Provider) validateLocked(token string) (string, error) {
	it := p.tokens[hashToken(token)]
	if it == nil || it.kinds&accessToken == 0 {
		return "", errors.New("demo: unknown or revoked access token")
	}
	g := p.grants[it.grant]
	if g == nil {
		return "", errors.New("demo: the token's grant was revoked")
	}
	if _, err := p.m.Keypair.VerifyJWT(token, p.m.Now); err != nil {
		return "", fmt.Errorf("demo: invalid access token: %w", err)
	}
	return g.account, nil
}

// Close stops the provider. It is safe to call more than once.
func (p *Provider) Close() error {
	p.closeOnce.Do(func() {
		err := p.srv.Close()
		// Serve may not have registered the listener yet.
		if lerr := p.ln.Close(); lerr != nil && !errors.Is(lerr, net.ErrClosed) {
			err = errors.Join(err, lerr)
		}
		p.serving.Wait()
		p.closeErr = err
	})
	return p.closeErr
}

// newGrantLocked records the grant of a new authorization code, dropping
// the grants that have expired meanwhile.
func (p *Provider) newGrantLocked(code string, g *grant) {
	now := p.m.Now()
	for id, old := range p.grants {
		if !old.redeemed && now.After(old.codeExpiry) || old.redeemed && now.After(old.refreshExpiry) {
			p.dropGrantLocked(id)
		}
	}
	g.codeExpiry = now.Add(codeTTL)
	g.tokens = make(map[tokenHash]bool)
	p.grants[code] = g
}

// addTokenLocked records a token issued for a grant, dropping the grant's
// tokens that have expired meanwhile.
func (p *Provider) addTokenLocked(id, token string, kind tokenKind, expiry time.Time) {
	g := p.grants[id]
	now := p.m.Now()
	for h := range g.tokens {
		if it := p.tokens[h]; it == nil || now.After(it.expiry) {
			delete(p.tokens, h)
			delete(g.tokens, h)
		}
	}
	h := hashToken(token)
	if it := p.tokens[h]; it != nil {
		it.kinds |= kind
		if expiry.After(it.expiry) {
			it.expiry = expiry
		}
	} else {
		p.tokens[h] = &issuedToken{grant: id, kinds: kind, expiry: expiry}
	}
	g.tokens[h] = true
}

// dropGrantLocked forgets a grant, its tokens and its mockoidc session, so
// that neither its code nor any of its tokens work any more.
func (p *Provider) dropGrantLocked(id string) {
	if g := p.grants[id]; g != nil {
		for h := range g.tokens {
			delete(p.tokens, h)
		}
	}
	delete(p.grants, id)
	delete(p.m.SessionStore.Store, id)
}
