package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// FieldError is one configuration problem. Key is the TOML key
// ("imap.port", "domain[1].smtp.security") or, for an environment value that
// does not parse, the variable name ("WEBMAIL_IMAP_PORT").
type FieldError struct {
	Key     string
	Problem string
}

func (e FieldError) Error() string { return e.Key + ": " + e.Problem }

// ValidationError lists every problem found, in a stable order. Its Error
// is one "key: problem" line per problem.
type ValidationError []FieldError

func (e ValidationError) Error() string {
	lines := make([]string, len(e))
	for i, p := range e {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// MaxArgon2MemoryKiB is the largest accepted argon2.memory_kib (4 GiB).
const MaxArgon2MemoryKiB = 4 << 20

// Validate checks c and returns a ValidationError listing all its problems,
// or nil. It does not fill in defaults: a port of 0 with a host set is an
// error here (Load fills in default ports before validating).
func (c Config) Validate() error {
	var v validator

	listenOK := v.listen(c.Listen)
	if c.PublicURL != "" || listenOK { // an empty public_url comes from a bad listen
		v.publicURL(c.PublicURL)
	}
	v.positive("imap_timeout", c.IMAPTimeout)
	v.positive("conn_idle", c.ConnIdle)
	if c.IMAPConnections < 2 || c.IMAPConnections > 100 {
		v.add("imap_connections", "must be between 2 and 100 (one for pages, one for a download or live updates)")
	}
	if c.DrainDelay.Duration < 0 || c.DrainDelay.Duration > 5*time.Minute {
		v.add("drain_delay", "must be between 0 and 5m, got %s", c.DrainDelay)
	}
	if c.ShutdownTimeout.Duration != 0 && c.ShutdownTimeout.Duration < c.IMAPTimeout.Duration {
		v.add("shutdown_timeout", "must be at least imap_timeout, so requests in flight can finish")
	}

	switch {
	case c.IMAP.Host != "":
		v.server("imap", c.IMAP)
		if c.SMTP.Host == "" {
			v.add("smtp.host", "required when imap.host is set")
		}
	case c.SMTP.Host != "":
		v.add("imap.host", "required when smtp.host is set")
	case !c.Demo && !c.hasIMAPHost():
		v.add("imap.host", "required: no mail server is configured (and Demo is false)")
	}
	if c.SMTP.Host != "" {
		v.server("smtp", c.SMTP.Server)
	}

	seen := make(map[string]int)
	for i, d := range c.Domains {
		p := fmt.Sprintf("domain[%d]", i)
		switch name := strings.ToLower(d.Name); {
		case name == "":
			v.add(p+".name", "required")
		case !isHostName(name):
			v.add(p+".name", "must be a domain name, got %q", d.Name)
		default:
			if j, dup := seen[name]; dup {
				v.add(p+".name", "%q is already the name of domain[%d]", d.Name, j)
			} else {
				seen[name] = i
			}
		}
		if d.IMAP.Host == "" {
			v.add(p+".imap.host", "required")
		} else {
			v.server(p+".imap", d.IMAP)
		}
		if d.SMTP.Host == "" {
			v.add(p+".smtp.host", "required")
		} else {
			v.server(p+".smtp", d.SMTP.Server)
		}
		v.carddav(p+".carddav.url", d.CardDAV.URL)
	}
	v.carddav("carddav.url", c.CardDAV.URL)

	v.oauth(c.OAuth)

	v.positive("session.idle_timeout", c.Session.IdleTimeout)
	v.positive("session.redis_timeout", c.Session.RedisTimeout)
	if u := c.Session.RedisURL; u != "" {
		if problem := redisURLProblem(u); problem != "" {
			v.add("session.redis_url", "%s", problem)
		}
	}
	v.positive("session.lifetime", c.Session.Lifetime)
	if c.Session.IdleTimeout.Duration > 0 && c.Session.Lifetime.Duration > 0 && c.Session.Lifetime.Duration < c.Session.IdleTimeout.Duration {
		v.add("session.lifetime", "must be at least session.idle_timeout (%s), got %s", c.Session.IdleTimeout, c.Session.Lifetime)
	}

	a := c.Argon2
	if a.Time < 1 {
		v.add("argon2.time", "must be at least 1, got %d", a.Time)
	}
	switch least := max(8*uint64(a.Threads), 8); {
	case uint64(a.MemoryKiB) < least:
		v.add("argon2.memory_kib", "must be at least 8 * argon2.threads = %d, got %d", least, a.MemoryKiB)
	case a.MemoryKiB > MaxArgon2MemoryKiB:
		v.add("argon2.memory_kib", "must be at most %d (4 GiB), got %d", MaxArgon2MemoryKiB, a.MemoryKiB)
	}
	if a.Threads < 1 {
		v.add("argon2.threads", "must be between 1 and 255, got %d", a.Threads)
	}
	if a.MaxConcurrent < 1 {
		v.add("argon2.max_concurrent", "must be at least 1, got %d", a.MaxConcurrent)
	}

	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		v.add("log.level", "must be one of debug, info, warn, error, got %q", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		v.add("log.format", "must be one of text, json, got %q", c.Log.Format)
	}

	l := c.Limits
	v.atLeast1("limits.login_per_ip", l.LoginPerIP)
	v.atLeast1("limits.login_per_user", l.LoginPerUser)
	v.atLeast1("limits.login_burst", l.LoginBurst)
	v.atLeast1("limits.send_per_hour", l.SendPerHour)
	v.atLeast1("limits.max_attachment_mb", l.MaxAttachmentMB)

	if c.Metrics.Listen != "" {
		if _, port, err := net.SplitHostPort(c.Metrics.Listen); err != nil {
			v.add("metrics.listen", "must be host:port (the host may be empty), got %q", c.Metrics.Listen)
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			v.add("metrics.listen", "port must be a number between 0 and 65535, got %q", c.Metrics.Listen)
		} else if c.Metrics.Listen == c.Listen {
			v.add("metrics.listen", "must differ from listen (leave it empty to serve /metrics on the main listener)")
		}
	}
	for i, a := range c.Metrics.Allow {
		if _, ok := parseAllow(a); !ok {
			v.add(fmt.Sprintf("metrics.allow[%d]", i), "must be an IP address or CIDR prefix such as \"10.0.0.0/8\", got %q", a)
		}
	}

	if len(v.problems) == 0 {
		return nil
	}
	return v.problems
}

type validator struct{ problems ValidationError }

func (v *validator) add(key, format string, args ...any) {
	v.problems = append(v.problems, FieldError{Key: key, Problem: fmt.Sprintf(format, args...)})
}

func (v *validator) positive(key string, d Duration) {
	if d.Duration <= 0 {
		v.add(key, "must be greater than 0, got %s", d)
	}
}

func (v *validator) atLeast1(key string, n int) {
	if n < 1 {
		v.add(key, "must be greater than 0, got %d", n)
	}
}

// listen checks the HTTP listen address and reports whether it is valid.
func (v *validator) listen(listen string) bool {
	_, port, err := net.SplitHostPort(listen)
	if err != nil {
		v.add("listen", "must be host:port (the host may be empty), got %q", listen)
		return false
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		v.add("listen", "port must be a number between 1 and 65535, got %q", listen)
		return false
	}
	return true
}

func (v *validator) publicURL(s string) {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Opaque != "":
		v.add("public_url", "must be an absolute http:// or https:// URL, got %q", s)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		v.add("public_url", "must not have user info, a query or a fragment, got %q", s)
	case u.RawPath != "" || !plainPath(strings.TrimRight(u.Path, "/")):
		v.add("public_url", "must have no path or a plain one such as /mail (segments of letters, digits, '.', '_', '~', '-'; no '.' or '..'), got %q", s)
	}
}

// plainPath reports whether p, public_url's path without its trailing
// slash, is "" or plain segments that need no escaping and no cleaning, so
// that request paths and the URLs the webmail writes carry it byte for
// byte.
func plainPath(p string) bool {
	if p == "" {
		return true
	}
	if p[0] != '/' {
		return false
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		for _, r := range seg {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._~-", r)) {
				return false
			}
		}
	}
	return true
}

// server checks a server whose host is set; prefix is its table name.
func (v *validator) server(prefix string, s Server) {
	hostOK := isHostName(s.Host) || isIP(s.Host)
	if !hostOK {
		v.add(prefix+".host", "must be a host name or IP address without port, scheme or brackets, got %q", s.Host)
	}
	securityOK := true
	switch s.Security {
	case SecurityTLS, SecurityStartTLS:
	case SecurityPlain:
		if hostOK && !isLoopback(s.Host) {
			v.add(prefix+".security", "%q is only allowed for loopback hosts, got %s", SecurityPlain, s.Host)
		}
		if s.TLSServerName != "" {
			v.add(prefix+".tls_server_name", "has no use with security %q", SecurityPlain)
		}
	default:
		securityOK = false
		v.add(prefix+".security", "must be one of tls, starttls, plain, got %q", s.Security)
	}
	// With an unknown security, port 0 is the missing default: not a
	// second problem.
	if (s.Port < 1 || s.Port > 65535) && (securityOK || s.Port != 0) {
		v.add(prefix+".port", "must be between 1 and 65535, got %d", s.Port)
	}
	if s.TLSServerName != "" && !isHostName(s.TLSServerName) {
		v.add(prefix+".tls_server_name", "must be a host name, got %q", s.TLSServerName)
	}
	if s.Security == SecurityPlain && s.CAFile != "" {
		v.add(prefix+".ca_file", "has no use with security %q", SecurityPlain)
	}
	if s.Security == SecurityPlain && s.PinSHA256 != "" {
		v.add(prefix+".pin_sha256", "has no use with security %q", SecurityPlain)
	}
	if s.CAFile != "" {
		if _, err := s.CertPool(); err != nil {
			v.add(prefix+".ca_file", "%v", err)
		}
	}
	if s.PinSHA256 != "" && s.Pin() == nil {
		v.add(prefix+".pin_sha256", "must be the 64 hex digits of a SHA-256 (colons allowed), got %q", s.PinSHA256)
	}
}

// carddav checks an address book server's URL: https, or http to a
// loopback host only (the password travels with every request).
func (v *validator) carddav(key, raw string) {
	if raw == "" {
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err == nil && u.User != nil:
		v.add(key, "must not hold a login or password: people sign in with their own")
	case err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
		v.add(key, "must be an http(s) URL without query or fragment, got %q", raw)
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	case u.Scheme == "http":
		v.add(key, "must be https (http is only allowed for loopback hosts), got %q", raw)
	default:
		v.add(key, "must be an http(s) URL, got %q", raw)
	}
}

// isHostName reports whether s is a syntactically valid DNS name (letters,
// digits, '-' and '_', labels of 1 to 63 bytes, an optional final dot).
func isHostName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// isLoopback reports whether host is "localhost" or a loopback address
// (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104).
func isLoopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
