// Package config holds the webmail configuration: the Config struct, its
// defaults, loading from a TOML file plus WEBMAIL_* environment variables
// (load.go), and validation that reports every problem at once
// (validate.go). config/webmail.sample.toml documents every key.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Security is how a connection to a mail server is protected.
type Security string

const (
	// SecurityTLS is implicit TLS from the first byte (IMAP 993, SMTP 465).
	SecurityTLS Security = "tls"
	// SecurityStartTLS upgrades a plain connection with STARTTLS (IMAP 143,
	// SMTP 587); the upgrade is mandatory.
	SecurityStartTLS Security = "starttls"
	// SecurityPlain sends everything, passwords included, in clear text. It
	// is only accepted when the host is a loopback address (127.0.0.0/8,
	// ::1) or "localhost".
	SecurityPlain Security = "plain"
)

// Default ports, used when a server's host is set and its port is 0.
const (
	DefaultIMAPPortTLS      = 993
	DefaultIMAPPortStartTLS = 143 // also used for plain
	DefaultSMTPPortTLS      = 465
	DefaultSMTPPortStartTLS = 587 // also used for plain: webmail submits authenticated mail (RFC 6409)
)

// Server is an IMAP or SMTP server.
type Server struct {
	Host     string   `toml:"host"`     // host name or IP address, without port
	Port     int      `toml:"port"`     // 0: the default port for Security
	Security Security `toml:"security"` // "" means SecurityTLS
	// TLSServerName, if set, is the name sent in SNI and verified in the
	// server's certificate instead of Host (e.g. when Host is an IP address).
	TLSServerName string `toml:"tls_server_name"`
	// CAFile is a PEM file of certificates trusted for this server on top
	// of the system's: a private CA, or the server's own self-signed
	// certificate. It is read at each connection, so a renewed file needs
	// no restart.
	CAFile string `toml:"ca_file"`
	// PinSHA256 is the SHA-256 of the server's certificate (the DER of the
	// leaf), in hex with or without colons. When set, a connection is
	// refused unless the server presents exactly this certificate; the
	// usual check (a trusted chain, the name) is made as well.
	PinSHA256 string `toml:"pin_sha256"`
}

// Pin is PinSHA256 as bytes, nil when no pin is set or it is not 32
// bytes of hex (which Validate reports).
func (s Server) Pin() []byte {
	h := strings.ReplaceAll(strings.TrimSpace(s.PinSHA256), ":", "")
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != sha256.Size {
		return nil
	}
	return b
}

// Addr is Host:Port, suitable for net.Dial.
func (s Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// SMTP is an SMTP server. Its Server keys sit directly in the [smtp] table
// (the embedded struct is flattened by the TOML decoder).
type SMTP struct {
	Server
	// UseIMAPCredentials: the SMTP server accepts the IMAP login name and
	// password. When false, people must set distinct SMTP credentials.
	UseIMAPCredentials bool `toml:"use_imap_credentials"`
}

// Domain gives the servers for logins of one mail domain ([[domain]]).
type Domain struct {
	Name    string  `toml:"name"` // matched case-insensitively against the part after the last '@' of the login
	IMAP    Server  `toml:"imap"`
	SMTP    SMTP    `toml:"smtp"`
	CardDAV CardDAV `toml:"carddav"`
}

// CardDAV is the address book server of the people who log in with a
// server's logins ([carddav], and carddav.url in [[domain]]). They sign in
// to it as to IMAP: the same login and password, or their OAuth token.
type CardDAV struct {
	// URL is the server's root, a principal, an address book home or an
	// address book itself; the address book is found from there. Empty:
	// no address book, suggestions come from the person's mail only.
	URL string `toml:"url"`
}

// Session configures the web sessions.
type Session struct {
	IdleTimeout Duration `toml:"idle_timeout"` // log out after this long without a request
	Lifetime    Duration `toml:"lifetime"`     // log out this long after login, whatever the activity
	// RedisURL keeps sessions in Redis, shared by every instance and kept
	// across restarts: redis://host:port/db or rediss:// (TLS). Empty keeps
	// them in this process's memory. It must not hold a password.
	RedisURL string `toml:"redis_url"`
	// RedisPasswordFile names a file holding Redis's password.
	RedisPasswordFile string `toml:"redis_password_file"`
	// RedisPassword is read from RedisPasswordFile; never printed.
	RedisPassword Secret `toml:"-"`
	// RedisTimeout bounds every Redis command, dial included.
	RedisTimeout Duration `toml:"redis_timeout"`
}

// Argon2 holds the Argon2id parameters used to derive keys from passwords.
type Argon2 struct {
	Time      uint32 `toml:"time"`       // passes
	MemoryKiB uint32 `toml:"memory_kib"` // memory per derivation, in KiB
	Threads   uint8  `toml:"threads"`    // parallelism
	// MaxConcurrent is the number of derivations allowed to run at once;
	// memory used by Argon2 is bounded by MaxConcurrent*MemoryKiB KiB.
	MaxConcurrent int `toml:"max_concurrent"`
}

// Log configures the process log.
type Log struct {
	Level  string `toml:"level"`  // debug, info, warn or error
	Format string `toml:"format"` // text or json
}

// SlogLevel is Level as a slog.Level (slog.LevelInfo if Level is unknown).
func (l Log) SlogLevel() slog.Level {
	switch l.Level {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// Limits are the rate and size limits.
type Limits struct {
	LoginPerIP      int `toml:"login_per_ip"`      // login attempts per minute per client address
	LoginPerUser    int `toml:"login_per_user"`    // login attempts per minute per login name
	LoginBurst      int `toml:"login_burst"`       // attempts allowed at once before the per-minute rates apply
	SendPerHour     int `toml:"send_per_hour"`     // messages sent per hour per account
	MaxAttachmentMB int `toml:"max_attachment_mb"` // largest upload, in MiB
	// TrustProxyHeaders: the client address is the last X-Forwarded-For
	// hop (set it only behind a reverse proxy that sets that header).
	// When false, it is the connection's remote address.
	TrustProxyHeaders bool `toml:"trust_proxy_headers"`
}

// Metrics configures the Prometheus endpoint /metrics.
type Metrics struct {
	// Listen, when set, is an address (host:port) of its own for
	// /metrics, which is then not served on the main listener.
	Listen string `toml:"listen"`
	// Allow lists the client addresses and CIDR prefixes that may read
	// /metrics on the main listener. The address is the connection's
	// peer, never X-Forwarded-For: behind a reverse proxy, that is the
	// proxy, so use Listen there. Default: loopback only.
	Allow []string `toml:"allow"`
}

// AllowPrefixes returns Allow parsed, a lone address as a prefix of its
// full length. Entries that do not parse (Validate refuses them) are left
// out.
func (m Metrics) AllowPrefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range m.Allow {
		if p, ok := parseAllow(s); ok {
			out = append(out, p)
		}
	}
	return out
}

func parseAllow(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// Duration is a time.Duration written as a string such as "30s", "5m" or
// "12h" in TOML and environment variables.
type Duration struct{ time.Duration }

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// Config is the whole webmail configuration. Use Default or Load to get one;
// the zero value is not valid.
type Config struct {
	Listen string `toml:"listen"` // address of the HTTP server, host:port
	// PublicURL is the URL people use to reach the webmail: scheme, host,
	// optional port and optional path ("https://example.org/mail"), the
	// path being where it is served (BasePath). Default: "http://" +
	// Listen, with an empty or unspecified listen host written as
	// localhost. https turns on Secure and __Host- cookies and HSTS.
	PublicURL string `toml:"public_url"`
	// Demo is true when no mail server is configured at all: no IMAP host
	// in the file or the environment. main then runs the embedded demo.
	Demo bool `toml:"-"`

	IMAP    Server   `toml:"imap"`    // default IMAP server
	SMTP    SMTP     `toml:"smtp"`    // default SMTP server
	Domains []Domain `toml:"domain"`  // per-domain servers, chosen by ServersFor
	OAuth   []OAuth  `toml:"oauth"`   // sign-in providers (oauth.go)
	CardDAV CardDAV  `toml:"carddav"` // the default address book server

	Session Session `toml:"session"`
	Argon2  Argon2  `toml:"argon2"`
	Log     Log     `toml:"log"`
	Limits  Limits  `toml:"limits"`
	Metrics Metrics `toml:"metrics"`

	IMAPTimeout Duration `toml:"imap_timeout"` // bound of one whole IMAP or SMTP command
	ConnIdle    Duration `toml:"conn_idle"`    // close a kept IMAP connection after this long unused
	// IMAPConnections is how many IMAP connections one account may hold
	// on this instance: its sessions' requests, downloads and live-update
	// watchers together.
	IMAPConnections int `toml:"imap_connections"`
	// ShutdownTimeout is how long a shutdown waits for requests in
	// flight; 0 means imap_timeout + 10s (see ShutdownWait).
	ShutdownTimeout Duration `toml:"shutdown_timeout"`
	// DrainDelay is how long a shutdown keeps serving, with /readyz
	// answering 503, before it stops taking requests: long enough for a
	// load balancer's readiness check to see it (0: stop at once).
	DrainDelay Duration `toml:"drain_delay"`
}

// ShutdownWait is how long a shutdown waits for requests in flight: the
// configured shutdown_timeout, or imap_timeout and ten seconds more, so
// that a request waiting on a slow mail server can finish.
func (c Config) ShutdownWait() time.Duration {
	if c.ShutdownTimeout.Duration > 0 {
		return c.ShutdownTimeout.Duration
	}
	return c.IMAPTimeout.Duration + 10*time.Second
}

// Default is the configuration used when neither a file nor the environment
// sets anything: the demo, listening on 127.0.0.1:8080. It is what
// Load("", nil) returns.
func Default() Config {
	c := Config{
		Listen: "127.0.0.1:8080",
		Demo:   true,
		IMAP:   Server{Security: SecurityTLS},
		SMTP:   SMTP{Server: Server{Security: SecurityTLS}, UseIMAPCredentials: true},
		Session: Session{
			IdleTimeout:  Duration{30 * time.Minute},
			Lifetime:     Duration{12 * time.Hour},
			RedisTimeout: Duration{2 * time.Second},
		},
		// RFC 9106 section 4, second recommended option (t=3, 64 MiB).
		Argon2: Argon2{Time: 3, MemoryKiB: 64 * 1024, Threads: 4, MaxConcurrent: 4},
		Log:    Log{Level: "info", Format: "text"},
		Limits: Limits{
			LoginPerIP:      10,
			LoginPerUser:    5,
			LoginBurst:      5,
			SendPerHour:     60,
			MaxAttachmentMB: 25,
		},
		Metrics:         Metrics{Allow: []string{"127.0.0.1/32", "::1/128"}},
		IMAPTimeout:     Duration{20 * time.Second},
		ConnIdle:        Duration{5 * time.Minute},
		IMAPConnections: 4,
	}
	c.complete()
	return c
}

// complete fills in the defaults that depend on other values (public_url,
// ports, security), and lower-cases the enumerated values.
func (c *Config) complete() {
	if c.PublicURL == "" {
		c.PublicURL = defaultPublicURL(c.Listen)
	}
	if u, err := url.Parse(c.PublicURL); err == nil && u.Host != "" && strings.HasSuffix(u.Path, "/") && u.RawQuery == "" && u.Fragment == "" && !u.ForceQuery {
		c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	}
	c.Log.Level = lower(c.Log.Level)
	c.Log.Format = lower(c.Log.Format)
	c.IMAP.complete(false)
	c.SMTP.complete(true)
	for i := range c.Domains {
		c.Domains[i].IMAP.complete(false)
		c.Domains[i].SMTP.complete(true)
	}
	for i := range c.OAuth {
		c.OAuth[i].complete()
	}
}

func (s *Server) complete(smtp bool) {
	s.Security = Security(lower(string(s.Security)))
	if s.Security == "" {
		s.Security = SecurityTLS
	}
	if s.Host == "" || s.Port != 0 {
		return
	}
	switch {
	case !smtp && s.Security == SecurityTLS:
		s.Port = DefaultIMAPPortTLS
	case !smtp && (s.Security == SecurityStartTLS || s.Security == SecurityPlain):
		s.Port = DefaultIMAPPortStartTLS
	case smtp && s.Security == SecurityTLS:
		s.Port = DefaultSMTPPortTLS
	case smtp && (s.Security == SecurityStartTLS || s.Security == SecurityPlain):
		s.Port = DefaultSMTPPortStartTLS
	}
}

// defaultPublicURL is "http://" + listen, naming an empty or unspecified
// host (":8080", "0.0.0.0:8080", "[::]:8080") localhost. It is "" if listen
// is not host:port; Validate then reports listen.
func defaultPublicURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// hasIMAPHost reports whether any IMAP server is configured.
func (c Config) hasIMAPHost() bool {
	if c.IMAP.Host != "" {
		return true
	}
	for _, d := range c.Domains {
		if d.IMAP.Host != "" {
			return true
		}
	}
	for _, p := range c.OAuth {
		if p.IMAP.Host != "" {
			return true
		}
	}
	return false
}

// ServersFor returns the servers for a login name: those of the [[domain]]
// whose name equals, ignoring case, the part after the last '@' of login,
// else the default [imap] and [smtp] servers. The returned IMAP Host is ""
// when nothing serves that login (only [[domain]] entries are configured, or
// in demo mode); the caller must then refuse the login.
func (c Config) ServersFor(login string) (imap Server, smtp SMTP) {
	if at := strings.LastIndexByte(login, '@'); at >= 0 {
		domain := login[at+1:]
		for _, d := range c.Domains {
			if strings.EqualFold(d.Name, domain) {
				return d.IMAP, d.SMTP
			}
		}
	}
	return c.IMAP, c.SMTP
}

// CardDAVFor returns the address book server's URL for a login name:
// that of its [[domain]] entry when one matches (as in ServersFor), else
// the default [carddav] one. "" means none.
func (c Config) CardDAVFor(login string) string {
	if at := strings.LastIndexByte(login, '@'); at >= 0 {
		for _, d := range c.Domains {
			if strings.EqualFold(d.Name, login[at+1:]) {
				return d.CardDAV.URL
			}
		}
	}
	return c.CardDAV.URL
}

// BasePath is the path of PublicURL without its trailing slash: "" when
// the webmail is served at the root of its host, "/mail" for
// "https://example.org/mail". Every route is under it, and every URL the
// webmail writes starts with it.
func (c Config) BasePath() string {
	u, err := url.Parse(c.PublicURL)
	if err != nil {
		return ""
	}
	return strings.TrimRight(u.Path, "/")
}

// SecureCookies reports whether PublicURL is https: cookies are then Secure
// with the __Host- prefix, and HSTS is sent.
func (c Config) SecureCookies() bool {
	u, err := url.Parse(c.PublicURL)
	return err == nil && u.Scheme == "https"
}

// String is the configuration in TOML, as loaded and completed, for logs
// and a -print-config style flag. Secrets must never appear in it: fields
// holding secrets (OAuth client secrets) are of type Secret, which encodes
// as "[redacted]", and are not read from the file itself.
func (c Config) String() string {
	var b strings.Builder
	if c.Demo {
		b.WriteString("# demo mode: no mail server configured\n")
	}
	if err := toml.NewEncoder(&b).Encode(c); err != nil {
		return "config: " + err.Error()
	}
	return b.String()
}

// LogValue implements slog.LogValuer so that logging a Config, even with a
// JSON handler, goes through String.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Secret is a string that is never printed: fmt, encoding/json, TOML
// encoding and slog all see "[redacted]". Use Reveal to get the value.
type Secret string

const redacted = "[redacted]"

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

// String implements fmt.Stringer.
func (s Secret) String() string { return redacted }

// Format implements fmt.Formatter, for every verb including %#v.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// MarshalText implements encoding.TextMarshaler (used by encoding/json and TOML).
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
