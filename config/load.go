package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// EnvConfig names the environment variable holding the configuration file
// path; see PathFromEnv.
const EnvConfig = "WEBMAIL_CONFIG"

// PathFromEnv returns the configuration file path given by WEBMAIL_CONFIG,
// or "" (no file). Load does not read WEBMAIL_CONFIG itself, so that main
// can give a -config flag precedence:
//
//	path := *configFlag
//	if path == "" {
//		path = config.PathFromEnv(os.Getenv)
//	}
//	cfg, err := config.Load(path, os.Getenv)
func PathFromEnv(getenv func(string) string) string {
	if getenv == nil {
		return ""
	}
	return strings.TrimSpace(getenv(EnvConfig))
}

// Load returns the configuration: Default, overridden by the TOML file at
// path (none if path is ""), overridden by the WEBMAIL_* environment
// variables read with getenv (none if getenv is nil; an empty value counts as
// unset), completed (default ports and public_url) and validated. Demo is set
// when no IMAP host is configured anywhere.
//
// A file that cannot be read or is not valid TOML, or whose value has the
// wrong type for its key (port = "x", idle_timeout = "soon"), gives an error
// of its own. Otherwise every problem is reported at once in a
// ValidationError: unknown keys in the file, environment variables with
// unparsable values (keyed by the variable name), and everything Validate
// finds (keyed by the TOML key, with the variable named when the value came
// from the environment). On error, Load returns the zero Config.
func Load(path string, getenv func(string) string) (Config, error) {
	c := Default()
	c.PublicURL = "" // derived from the final listen address unless set
	var problems ValidationError
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("config: %w", err)
		}
		unknown, err := decode(string(data), &c)
		if err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", path, err)
		}
		problems = append(problems, unknown...)
	}
	fromEnv, envProblems := applyEnv(&c, getenv)
	problems = append(problems, envProblems...)
	c.complete()
	problems = append(problems, loadOAuthSecrets(&c, getenv)...)
	problems = append(problems, loadRedisPassword(&c)...)
	c.Demo = !c.hasIMAPHost()

	var invalid ValidationError
	if errors.As(c.Validate(), &invalid) {
		for _, p := range invalid {
			if name, ok := fromEnv[p.Key]; ok {
				p.Problem += " (from " + name + ")"
			}
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return Config{}, problems
	}
	return c, nil
}

// decode decodes the TOML document data over c and returns its unknown keys.
func decode(data string, c *Config) (ValidationError, error) {
	md, err := toml.Decode(data, c)
	if err != nil {
		return nil, err
	}
	// The [[domain]] entries again, untyped: to know which keys each one
	// sets (MetaData knows keys such as "domain.imap.host" but not which
	// element they belong to).
	var raw struct {
		Domain []map[string]any `toml:"domain"`
	}
	if _, err := toml.Decode(data, &raw); err != nil {
		return nil, err
	}
	for i := range min(len(c.Domains), len(raw.Domain)) {
		// Decoding starts each element from the zero Domain; default
		// use_imap_credentials to true as for [smtp].
		if !has(raw.Domain[i], "smtp", "use_imap_credentials") {
			c.Domains[i].SMTP.UseIMAPCredentials = true
		}
	}

	undecoded := md.Undecoded()
	isUndecoded := make(map[string]bool)
	for _, k := range undecoded {
		isUndecoded[k.String()] = true
	}
	var problems ValidationError
	seen := make(map[string]bool)
	for _, k := range undecoded {
		if parentUndecoded(k, isUndecoded) {
			continue // report [foo], not also foo.bar
		}
		names := []string{k.String()}
		if k[0] == "domain" && len(k) > 1 {
			names = nil
			for i, d := range raw.Domain {
				if has(d, k[1:]...) {
					names = append(names, fmt.Sprintf("domain[%d].%s", i, k[1:]))
				}
			}
		}
		for _, name := range names {
			if !seen[name] {
				seen[name] = true
				problems = append(problems, FieldError{Key: name, Problem: "unknown key"})
			}
		}
	}
	return problems, nil
}

func parentUndecoded(k toml.Key, isUndecoded map[string]bool) bool {
	for n := 1; n < len(k); n++ {
		if isUndecoded[k[:n].String()] {
			return true
		}
	}
	return false
}

// has reports whether the nested tables m define the key path.
func has(m map[string]any, path ...string) bool {
	for i, name := range path {
		v, ok := m[name]
		if !ok {
			return false
		}
		if i == len(path)-1 {
			return true
		}
		if m, ok = v.(map[string]any); !ok {
			return false
		}
	}
	return false
}

// envVar is an environment variable overriding one key of the file.
type envVar struct {
	name string             // WEBMAIL_...
	key  string             // the TOML key it overrides
	set  func(string) error // parses the value into the Config
}

// envVars lists the environment overrides of c, in sample file order. They
// apply to the default servers only, not to [[domain]] entries.
func envVars(c *Config) []envVar {
	return []envVar{
		{"WEBMAIL_LISTEN", "listen", setString(&c.Listen)},
		{"WEBMAIL_PUBLIC_URL", "public_url", setString(&c.PublicURL)},
		{"WEBMAIL_IMAP_TIMEOUT", "imap_timeout", setDuration(&c.IMAPTimeout)},
		{"WEBMAIL_CONN_IDLE", "conn_idle", setDuration(&c.ConnIdle)},
		{"WEBMAIL_IMAP_CONNECTIONS", "imap_connections", setInt(&c.IMAPConnections)},
		{"WEBMAIL_SHUTDOWN_TIMEOUT", "shutdown_timeout", setDuration(&c.ShutdownTimeout)},
		{"WEBMAIL_DRAIN_DELAY", "drain_delay", setDuration(&c.DrainDelay)},

		{"WEBMAIL_IMAP_HOST", "imap.host", setString(&c.IMAP.Host)},
		{"WEBMAIL_IMAP_PORT", "imap.port", setInt(&c.IMAP.Port)},
		{"WEBMAIL_IMAP_SECURITY", "imap.security", setString(&c.IMAP.Security)},
		{"WEBMAIL_IMAP_TLS_SERVER_NAME", "imap.tls_server_name", setString(&c.IMAP.TLSServerName)},
		{"WEBMAIL_IMAP_CA_FILE", "imap.ca_file", setString(&c.IMAP.CAFile)},
		{"WEBMAIL_IMAP_PIN_SHA256", "imap.pin_sha256", setString(&c.IMAP.PinSHA256)},

		{"WEBMAIL_SMTP_HOST", "smtp.host", setString(&c.SMTP.Host)},
		{"WEBMAIL_SMTP_PORT", "smtp.port", setInt(&c.SMTP.Port)},
		{"WEBMAIL_SMTP_SECURITY", "smtp.security", setString(&c.SMTP.Security)},
		{"WEBMAIL_SMTP_TLS_SERVER_NAME", "smtp.tls_server_name", setString(&c.SMTP.TLSServerName)},
		{"WEBMAIL_SMTP_CA_FILE", "smtp.ca_file", setString(&c.SMTP.CAFile)},
		{"WEBMAIL_SMTP_PIN_SHA256", "smtp.pin_sha256", setString(&c.SMTP.PinSHA256)},
		{"WEBMAIL_SMTP_USE_IMAP_CREDENTIALS", "smtp.use_imap_credentials", setBool(&c.SMTP.UseIMAPCredentials)},

		{"WEBMAIL_CARDDAV_URL", "carddav.url", setString(&c.CardDAV.URL)},

		{"WEBMAIL_SESSION_IDLE_TIMEOUT", "session.idle_timeout", setDuration(&c.Session.IdleTimeout)},
		{"WEBMAIL_SESSION_LIFETIME", "session.lifetime", setDuration(&c.Session.Lifetime)},
		{"WEBMAIL_SESSION_REDIS_URL", "session.redis_url", setString(&c.Session.RedisURL)},
		{"WEBMAIL_SESSION_REDIS_PASSWORD_FILE", "session.redis_password_file", setString(&c.Session.RedisPasswordFile)},
		{"WEBMAIL_SESSION_REDIS_TIMEOUT", "session.redis_timeout", setDuration(&c.Session.RedisTimeout)},

		{"WEBMAIL_ARGON2_TIME", "argon2.time", setUint(&c.Argon2.Time)},
		{"WEBMAIL_ARGON2_MEMORY_KIB", "argon2.memory_kib", setUint(&c.Argon2.MemoryKiB)},
		{"WEBMAIL_ARGON2_THREADS", "argon2.threads", setUint(&c.Argon2.Threads)},
		{"WEBMAIL_ARGON2_MAX_CONCURRENT", "argon2.max_concurrent", setInt(&c.Argon2.MaxConcurrent)},

		{"WEBMAIL_LOG_LEVEL", "log.level", setString(&c.Log.Level)},
		{"WEBMAIL_LOG_FORMAT", "log.format", setString(&c.Log.Format)},

		{"WEBMAIL_LIMITS_LOGIN_PER_IP", "limits.login_per_ip", setInt(&c.Limits.LoginPerIP)},
		{"WEBMAIL_LIMITS_LOGIN_PER_USER", "limits.login_per_user", setInt(&c.Limits.LoginPerUser)},
		{"WEBMAIL_LIMITS_LOGIN_BURST", "limits.login_burst", setInt(&c.Limits.LoginBurst)},
		{"WEBMAIL_LIMITS_SEND_PER_HOUR", "limits.send_per_hour", setInt(&c.Limits.SendPerHour)},
		{"WEBMAIL_LIMITS_MAX_ATTACHMENT_MB", "limits.max_attachment_mb", setInt(&c.Limits.MaxAttachmentMB)},
		{"WEBMAIL_LIMITS_TRUST_PROXY_HEADERS", "limits.trust_proxy_headers", setBool(&c.Limits.TrustProxyHeaders)},

		{"WEBMAIL_METRICS_LISTEN", "metrics.listen", setString(&c.Metrics.Listen)},
		{"WEBMAIL_METRICS_ALLOW", "metrics.allow", setList(&c.Metrics.Allow)},
	}
}

// applyEnv applies the environment overrides to c. It returns the TOML keys
// set from the environment (key -> variable name) and the variables whose
// values do not parse.
func applyEnv(c *Config, getenv func(string) string) (map[string]string, ValidationError) {
	fromEnv := make(map[string]string)
	var problems ValidationError
	if getenv == nil {
		return fromEnv, nil
	}
	for _, v := range envVars(c) {
		s := strings.TrimSpace(getenv(v.name))
		if s == "" {
			continue
		}
		if err := v.set(s); err != nil {
			problems = append(problems, FieldError{Key: v.name, Problem: err.Error()})
			continue
		}
		fromEnv[v.key] = v.name
	}
	return fromEnv, problems
}

func setString[T ~string](p *T) func(string) error {
	return func(s string) error { *p = T(s); return nil }
}

func setInt(p *int) func(string) error {
	return func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("must be an integer, got %q", s)
		}
		*p = n
		return nil
	}
}

func setUint[T uint8 | uint32](p *T) func(string) error {
	return func(s string) error {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || n > uint64(^T(0)) {
			return fmt.Errorf("must be an integer between 0 and %d, got %q", ^T(0), s)
		}
		*p = T(n)
		return nil
	}
}

// setList reads a comma-separated list; blanks around items are dropped.
func setList(p *[]string) func(string) error {
	return func(s string) error {
		var out []string
		for _, item := range strings.Split(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
		*p = out
		return nil
	}
}

func setBool(p *bool) func(string) error {
	return func(s string) error {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("must be true or false, got %q", s)
		}
		*p = b
		return nil
	}
}

func setDuration(p *Duration) func(string) error {
	return func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("must be a duration such as \"30s\", \"5m\" or \"12h\", got %q", s)
		}
		p.Duration = d
		return nil
	}
}
