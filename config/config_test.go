package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// writeFile writes a config file and returns its path.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "webmail.toml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// env is a getenv over a map.
func env(m map[string]string) func(string) string {
	return func(name string) string { return m[name] }
}

// problems returns the FieldErrors of err, failing if err is not a
// ValidationError.
func problems(t *testing.T, err error) []FieldError {
	t.Helper()
	var v ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("error %v (%T) is not a ValidationError", err, err)
	}
	return v
}

func minutes(m int) Duration { return Duration{time.Duration(m) * time.Minute} }
func seconds(s int) Duration { return Duration{time.Duration(s) * time.Second} }
func hours(h int) Duration   { return Duration{time.Duration(h) * time.Hour} }

func TestDefault(t *testing.T) {
	t.Parallel()
	want := Config{
		Listen:    "127.0.0.1:8080",
		PublicURL: "http://127.0.0.1:8080",
		Demo:      true,
		IMAP:      Server{Security: SecurityTLS},
		SMTP:      SMTP{Server: Server{Security: SecurityTLS}, UseIMAPCredentials: true},
		Session:   Session{IdleTimeout: minutes(30), Lifetime: hours(12), RedisTimeout: Duration{2 * time.Second}},
		Argon2:    Argon2{Time: 3, MemoryKiB: 65536, Threads: 4, MaxConcurrent: 4},
		Log:       Log{Level: "info", Format: "text"},
		Limits: Limits{LoginPerIP: 10, LoginPerUser: 5, LoginBurst: 5, SendPerHour: 60,
			MaxAttachmentMB: 25, TrustProxyHeaders: false},
		Metrics:         Metrics{Allow: []string{"127.0.0.1/32", "::1/128"}},
		IMAPTimeout:     seconds(20),
		ConnIdle:        minutes(5),
		IMAPConnections: 4,
	}
	if diff := cmp.Diff(want, Default()); diff != "" {
		t.Errorf("Default() (-want +got):\n%s", diff)
	}
	if err := Default().Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
	for _, getenv := range []func(string) string{nil, env(nil)} {
		got, err := Load("", getenv)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Load(\"\", no env) (-want +got):\n%s", diff)
		}
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	const file = `
listen = "0.0.0.0:9000"
imap_timeout = "30s"
[imap]
host = "imap.example.org"
security = "starttls"
[smtp]
host = "smtp.example.org"
port = 2525
use_imap_credentials = false
[session]
idle_timeout = "10m"
[log]
level = "DEBUG"
[limits]
login_per_ip = 20
[[domain]]
name = "Example.COM"
imap.host = "imap.example.com"
smtp = { host = "smtp.example.com", security = "starttls" }
`
	tests := []struct {
		name string
		file string // "" for no file
		env  map[string]string
		want func(*Config) // changes to Default
	}{
		{
			name: "file",
			file: file,
			want: func(c *Config) {
				c.Listen = "0.0.0.0:9000"
				c.PublicURL = "http://localhost:9000"
				c.IMAPTimeout = seconds(30)
				c.Demo = false
				c.IMAP = Server{Host: "imap.example.org", Port: 143, Security: SecurityStartTLS}
				c.SMTP = SMTP{Server: Server{Host: "smtp.example.org", Port: 2525, Security: SecurityTLS}}
				c.Session.IdleTimeout = minutes(10)
				c.Log.Level = "debug"
				c.Limits.LoginPerIP = 20
				c.Domains = []Domain{{
					Name: "Example.COM",
					IMAP: Server{Host: "imap.example.com", Port: 993, Security: SecurityTLS},
					SMTP: SMTP{Server: Server{Host: "smtp.example.com", Port: 587, Security: SecurityStartTLS}, UseIMAPCredentials: true},
				}}
			},
		},
		{
			name: "env overrides file",
			file: file,
			env: map[string]string{
				"WEBMAIL_LISTEN":                     "[::1]:8443",
				"WEBMAIL_PUBLIC_URL":                 "https://mail.example.org/",
				"WEBMAIL_IMAP_TIMEOUT":               "1m",
				"WEBMAIL_CONN_IDLE":                  "90s",
				"WEBMAIL_IMAP_HOST":                  "127.0.0.1",
				"WEBMAIL_IMAP_SECURITY":              "plain",
				"WEBMAIL_IMAP_PORT":                  "1143",
				"WEBMAIL_SMTP_HOST":                  "smtp2.example.org",
				"WEBMAIL_SMTP_PORT":                  "0",
				"WEBMAIL_SMTP_SECURITY":              "starttls",
				"WEBMAIL_SMTP_TLS_SERVER_NAME":       "mx.example.org",
				"WEBMAIL_SMTP_USE_IMAP_CREDENTIALS":  "true",
				"WEBMAIL_SESSION_IDLE_TIMEOUT":       "1h",
				"WEBMAIL_SESSION_LIFETIME":           "24h",
				"WEBMAIL_ARGON2_TIME":                "4",
				"WEBMAIL_ARGON2_MEMORY_KIB":          "131072",
				"WEBMAIL_ARGON2_THREADS":             "2",
				"WEBMAIL_ARGON2_MAX_CONCURRENT":      "8",
				"WEBMAIL_LOG_LEVEL":                  "warn",
				"WEBMAIL_LOG_FORMAT":                 "json",
				"WEBMAIL_LIMITS_LOGIN_PER_IP":        "30",
				"WEBMAIL_LIMITS_LOGIN_PER_USER":      "6",
				"WEBMAIL_LIMITS_LOGIN_BURST":         "7",
				"WEBMAIL_LIMITS_SEND_PER_HOUR":       "100",
				"WEBMAIL_LIMITS_MAX_ATTACHMENT_MB":   "50",
				"WEBMAIL_LIMITS_TRUST_PROXY_HEADERS": " 1 ",
			},
			want: func(c *Config) {
				c.Listen = "[::1]:8443"
				c.PublicURL = "https://mail.example.org"
				c.IMAPTimeout = minutes(1)
				c.ConnIdle = seconds(90)
				c.Demo = false
				c.IMAP = Server{Host: "127.0.0.1", Port: 1143, Security: SecurityPlain}
				c.SMTP = SMTP{Server: Server{Host: "smtp2.example.org", Port: 587, Security: SecurityStartTLS,
					TLSServerName: "mx.example.org"}, UseIMAPCredentials: true}
				c.Session = Session{IdleTimeout: hours(1), Lifetime: hours(24), RedisTimeout: Duration{2 * time.Second}}
				c.Argon2 = Argon2{Time: 4, MemoryKiB: 131072, Threads: 2, MaxConcurrent: 8}
				c.Log = Log{Level: "warn", Format: "json"}
				c.Limits = Limits{LoginPerIP: 30, LoginPerUser: 6, LoginBurst: 7, SendPerHour: 100,
					MaxAttachmentMB: 50, TrustProxyHeaders: true}
				c.Domains = []Domain{{
					Name: "Example.COM",
					IMAP: Server{Host: "imap.example.com", Port: 993, Security: SecurityTLS},
					SMTP: SMTP{Server: Server{Host: "smtp.example.com", Port: 587, Security: SecurityStartTLS}, UseIMAPCredentials: true},
				}}
			},
		},
		{
			name: "env only",
			env: map[string]string{
				"WEBMAIL_LISTEN":    ":8080",
				"WEBMAIL_IMAP_HOST": "mail.example.org",
				"WEBMAIL_SMTP_HOST": "mail.example.org",
				"WEBMAIL_CONFIG":    "/ignored/by/Load",
			},
			want: func(c *Config) {
				c.Listen = ":8080"
				c.PublicURL = "http://localhost:8080"
				c.Demo = false
				c.IMAP = Server{Host: "mail.example.org", Port: 993, Security: SecurityTLS}
				c.SMTP.Server = Server{Host: "mail.example.org", Port: 465, Security: SecurityTLS}
			},
		},
		{
			name: "empty env values are unset",
			file: `listen = "127.0.0.1:1234"`,
			env:  map[string]string{"WEBMAIL_LISTEN": "", "WEBMAIL_LOG_LEVEL": "  "},
			want: func(c *Config) {
				c.Listen = "127.0.0.1:1234"
				c.PublicURL = "http://127.0.0.1:1234"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			got, err := Load(path, env(tt.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := Default()
			tt.want(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Load (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadAllProblems(t *testing.T) {
	t.Parallel()
	path := writeFile(t, `
listen = "localhost"
public_url = "https://mail.example.org/web mail"
imap_timeout = "0s"
conn_idle = "-1m"
imap_connections = 1
shutdown_timeout = "-5s"
[imap]
host = "mail.example.org:993"
port = 70000
security = "ssl"
[smtp]
host = "mail.example.org"
security = "plain"
tls_server_name = "bad name"
[[domain]]
name = "example.com"
imap.host = "imap.example.com"
smtp.host = "smtp.example.com"
[[domain]]
name = "EXAMPLE.com"
imap = { host = "imap.example.com", port = 0, security = "starttls" }
smtp = { host = "mail.example.org", security = "plain" }
[[domain]]
name = "user@example.net"
[session]
idle_timeout = "2h"
lifetime = "1h"
[argon2]
time = 0
memory_kib = 16
threads = 4
max_concurrent = 0
[log]
level = "verbose"
format = "xml"
[limits]
login_per_ip = 0
login_per_user = -1
login_burst = 0
send_per_hour = 0
max_attachment_mb = 0
`)
	getenv := env(map[string]string{
		"WEBMAIL_IMAP_PORT":                  "abc",
		"WEBMAIL_ARGON2_THREADS":             "300",
		"WEBMAIL_SESSION_LIFETIME":           "forever",
		"WEBMAIL_LIMITS_TRUST_PROXY_HEADERS": "maybe",
		"WEBMAIL_LIMITS_SEND_PER_HOUR":       "-5",
	})
	_, err := Load(path, getenv)
	want := []FieldError{
		{"WEBMAIL_IMAP_PORT", `must be an integer, got "abc"`},
		{"WEBMAIL_SESSION_LIFETIME", `must be a duration such as "30s", "5m" or "12h", got "forever"`},
		{"WEBMAIL_ARGON2_THREADS", `must be an integer between 0 and 255, got "300"`},
		{"WEBMAIL_LIMITS_TRUST_PROXY_HEADERS", `must be true or false, got "maybe"`},
		{"listen", `must be host:port (the host may be empty), got "localhost"`},
		{"public_url", `must have no path or a plain one such as /mail (segments of letters, digits, '.', '_', '~', '-'; no '.' or '..'), got "https://mail.example.org/web mail"`},
		{"imap_timeout", "must be greater than 0, got 0s"},
		{"conn_idle", "must be greater than 0, got -1m0s"},
		{"imap_connections", "must be between 2 and 100 (one for pages, one for a download or live updates)"},
		{"shutdown_timeout", "must be at least imap_timeout, so requests in flight can finish"},
		{"imap.host", `must be a host name or IP address without port, scheme or brackets, got "mail.example.org:993"`},
		{"imap.security", `must be one of tls, starttls, plain, got "ssl"`},
		{"imap.port", "must be between 1 and 65535, got 70000"},
		{"smtp.security", `"plain" is only allowed for loopback hosts, got mail.example.org`},
		{"smtp.tls_server_name", `has no use with security "plain"`},
		{"smtp.tls_server_name", `must be a host name, got "bad name"`},
		{"domain[1].name", `"EXAMPLE.com" is already the name of domain[0]`},
		{"domain[1].smtp.security", `"plain" is only allowed for loopback hosts, got mail.example.org`},
		{"domain[2].name", `must be a domain name, got "user@example.net"`},
		{"domain[2].imap.host", "required"},
		{"domain[2].smtp.host", "required"},
		{"session.lifetime", "must be at least session.idle_timeout (2h0m0s), got 1h0m0s"},
		{"argon2.time", "must be at least 1, got 0"},
		{"argon2.memory_kib", "must be at least 8 * argon2.threads = 32, got 16"},
		{"argon2.max_concurrent", "must be at least 1, got 0"},
		{"log.level", `must be one of debug, info, warn, error, got "verbose"`},
		{"log.format", `must be one of text, json, got "xml"`},
		{"limits.login_per_ip", "must be greater than 0, got 0"},
		{"limits.login_per_user", "must be greater than 0, got -1"},
		{"limits.login_burst", "must be greater than 0, got 0"},
		{"limits.send_per_hour", "must be greater than 0, got -5 (from WEBMAIL_LIMITS_SEND_PER_HOUR)"},
		{"limits.max_attachment_mb", "must be greater than 0, got 0"},
	}
	if diff := cmp.Diff(want, problems(t, err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if got := strings.Count(err.Error(), "\n") + 1; got != len(want) {
		t.Errorf("Error() has %d lines, want %d:\n%s", got, len(want), err)
	}
}

func TestLoadFileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, want string
	}{
		{"syntax", "listen = ", "expected value"},
		{"type", "[imap]\nport = \"993\"", `"imap.port"`},
		{"duration", "[session]\nlifetime = \"soon\"", `"session.lifetime"`},
		{"duration without unit", "conn_idle = 5", `"conn_idle"`},
		{"overflow", "[argon2]\nthreads = 256", `"argon2.threads"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, tt.file)
			_, err := Load(path, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("Load = %v, want an error naming %s and containing %s", err, path, tt.want)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.toml"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing file) = %v, want ErrNotExist", err)
	}
}

func TestUnknownKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		want []FieldError
	}{
		{
			name: "top level and tables",
			file: `
demo = true
lisen = ":80"
[imap]
hots = "x"
[smtp]
use_imap_credential = true
[sesion]
idle_timeout = "1m"
[sesion.deeper]
x = 1
`,
			want: []FieldError{
				{"demo", "unknown key"},
				{"lisen", "unknown key"},
				{"imap.hots", "unknown key"},
				{"smtp.use_imap_credential", "unknown key"},
				{"sesion", "unknown key"},
			},
		},
		{
			name: "domains",
			file: `
[[domain]]
name = "a.example"
imap.host = "imap.a.example"
smtp.host = "smtp.a.example"
[[domain]]
name = "b.example"
nmae = "x"
imap = { host = "imap.b.example", prot = 1 }
smtp.host = "smtp.b.example"
smtp.extra = { y = 1 }
[[domain]]
name = "c.example"
nmae = "y"
imap.host = "imap.c.example"
smtp.host = "smtp.c.example"
`,
			want: []FieldError{
				{"domain[1].nmae", "unknown key"},
				{"domain[2].nmae", "unknown key"},
				{"domain[1].imap.prot", "unknown key"},
				{"domain[1].smtp.extra", "unknown key"},
			},
		},
		{
			name: "inline domain array",
			file: `domain = [
	{ name = "a.example", imap.host = "i.a.example", smtp.host = "s.a.example" },
	{ name = "b.example", imap.host = "i.b.example", smtp.host = "s.b.example", smtp.hots = "x" },
]`,
			want: []FieldError{{"domain[1].smtp.hots", "unknown key"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(writeFile(t, tt.file), nil)
			if diff := cmp.Diff(tt.want, problems(t, err)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlainSecurity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		host string
		ok   bool
	}{
		{"127.0.0.1", true},
		{"127.1.2.3", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true},
		{"localhost", true},
		{"LocalHost.", true},
		{"mail.example.org", false},
		{"10.0.0.1", false},
		{"::2", false},
		{"localhost.example.org", false},
		{"0.0.0.0", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			t.Parallel()
			c := Default()
			c.IMAP = Server{Host: tt.host, Port: 143, Security: SecurityPlain}
			c.SMTP = SMTP{Server: Server{Host: tt.host, Port: 25, Security: SecurityPlain}}
			c.Domains = []Domain{{Name: "example.com", IMAP: c.IMAP, SMTP: c.SMTP}}
			c.Demo = false
			var want []FieldError
			if !tt.ok {
				problem := `"plain" is only allowed for loopback hosts, got ` + tt.host
				for _, key := range []string{"imap", "smtp", "domain[0].imap", "domain[0].smtp"} {
					want = append(want, FieldError{key + ".security", problem})
				}
			}
			var got []FieldError
			if err := c.Validate(); err != nil {
				got = problems(t, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServersFor(t *testing.T) {
	t.Parallel()
	c, err := Load(writeFile(t, `
[imap]
host = "imap.default.example"
[smtp]
host = "smtp.default.example"
[[domain]]
name = "Example.com"
imap.host = "imap.example.com"
smtp.host = "smtp.example.com"
[[domain]]
name = "other.example"
imap.host = "imap.other.example"
smtp.host = "smtp.other.example"
smtp.use_imap_credentials = false
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		login    string
		imap     string
		smtp     string
		useCreds bool
	}{
		{"alice@example.com", "imap.example.com", "smtp.example.com", true},
		{"Alice@EXAMPLE.COM", "imap.example.com", "smtp.example.com", true},
		{"bob@other.example", "imap.other.example", "smtp.other.example", false},
		{"\"a@b\"@other.example", "imap.other.example", "smtp.other.example", false},
		{"alice@sub.example.com", "imap.default.example", "smtp.default.example", true},
		{"alice@example.com.evil", "imap.default.example", "smtp.default.example", true},
		{"example.com", "imap.default.example", "smtp.default.example", true},
		{"alice", "imap.default.example", "smtp.default.example", true},
		{"", "imap.default.example", "smtp.default.example", true},
	}
	for _, tt := range tests {
		t.Run(tt.login, func(t *testing.T) {
			t.Parallel()
			imap, smtp := c.ServersFor(tt.login)
			got := [3]any{imap.Host, smtp.Host, smtp.UseIMAPCredentials}
			want := [3]any{tt.imap, tt.smtp, tt.useCreds}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ServersFor(%q) (-want +got):\n%s", tt.login, diff)
			}
		})
	}
}

func TestDemo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		file     string // "" for no file
		env      map[string]string
		wantDemo bool
		wantErr  []FieldError
	}{
		{name: "nothing", wantDemo: true},
		{name: "file without servers", file: "listen = \":8080\"\n[log]\nlevel = \"debug\"", wantDemo: true},
		{name: "env without servers", env: map[string]string{"WEBMAIL_LOG_LEVEL": "debug"}, wantDemo: true},
		{name: "file imap", file: "imap.host = \"mail.example.org\"\nsmtp.host = \"mail.example.org\""},
		{name: "env imap", env: map[string]string{"WEBMAIL_IMAP_HOST": "mail.example.org", "WEBMAIL_SMTP_HOST": "mail.example.org"}},
		{name: "domain only", file: "[[domain]]\nname = \"example.com\"\nimap.host = \"i.example.com\"\nsmtp.host = \"s.example.com\""},
		{
			name:    "smtp without imap",
			env:     map[string]string{"WEBMAIL_SMTP_HOST": "mail.example.org"},
			wantErr: []FieldError{{"imap.host", "required when smtp.host is set"}},
		},
		{
			name:    "imap without smtp",
			env:     map[string]string{"WEBMAIL_IMAP_HOST": "mail.example.org"},
			wantErr: []FieldError{{"smtp.host", "required when imap.host is set"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			c, err := Load(path, env(tt.env))
			if tt.wantErr != nil {
				if diff := cmp.Diff(tt.wantErr, problems(t, err)); diff != "" {
					t.Errorf("problems (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Demo != tt.wantDemo {
				t.Errorf("Demo = %v, want %v", c.Demo, tt.wantDemo)
			}
		})
	}

	c := Default()
	c.Demo = false
	want := []FieldError{{"imap.host", "required: no mail server is configured (and Demo is false)"}}
	if diff := cmp.Diff(want, problems(t, c.Validate())); diff != "" {
		t.Errorf("Validate without servers nor Demo (-want +got):\n%s", diff)
	}
}

func TestPublicURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url     string
		secure  bool
		problem string // "" if valid
	}{
		{"http://127.0.0.1:8080", false, ""},
		{"https://mail.example.org", true, ""},
		{"HTTPS://mail.example.org:8443/", true, ""},
		{"ftp://mail.example.org", false, `must be an absolute http:// or https:// URL, got "ftp://mail.example.org"`},
		{"mail.example.org", false, `must be an absolute http:// or https:// URL, got "mail.example.org"`},
		{"https://", true, `must be an absolute http:// or https:// URL, got "https://"`},
		{"https://mail.example.org/?x=1", true, `must not have user info, a query or a fragment, got "https://mail.example.org/?x=1"`},
		{"https://u:p@mail.example.org", true, `must not have user info, a query or a fragment, got "https://u:p@mail.example.org"`},
		{"https://mail.example.org/mail/", true, ""},
		{"http://127.0.0.1:8080/a/b.c", false, ""},
		{"https://mail.example.org/mail?x", true, `must not have user info, a query or a fragment, got "https://mail.example.org/mail?x"`},
		{"https://mail.example.org/mail#top", true, `must not have user info, a query or a fragment, got "https://mail.example.org/mail#top"`},
		{"https://mail.example.org/a//b", true, `must have no path or a plain one such as /mail (segments of letters, digits, '.', '_', '~', '-'; no '.' or '..'), got "https://mail.example.org/a//b"`},
		{"https://mail.example.org/a/../b", true, `must have no path or a plain one such as /mail (segments of letters, digits, '.', '_', '~', '-'; no '.' or '..'), got "https://mail.example.org/a/../b"`},
		{"https://mail.example.org/m%C3%A9l", true, `must have no path or a plain one such as /mail (segments of letters, digits, '.', '_', '~', '-'; no '.' or '..'), got "https://mail.example.org/m%C3%A9l"`},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			c, err := Load("", env(map[string]string{"WEBMAIL_PUBLIC_URL": tt.url}))
			var want, got []FieldError
			if tt.problem != "" {
				want = []FieldError{{"public_url", tt.problem + " (from WEBMAIL_PUBLIC_URL)"}}
				got = problems(t, err)
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if err == nil && c.SecureCookies() != tt.secure {
				t.Errorf("SecureCookies() = %v, want %v", c.SecureCookies(), tt.secure)
			}
			if err == nil && strings.HasSuffix(c.PublicURL, "/") {
				t.Errorf("PublicURL = %q, want it without its trailing slash", c.PublicURL)
			}
		})
	}
}

func TestBasePath(t *testing.T) {
	t.Parallel()
	for url, want := range map[string]string{
		"http://127.0.0.1:8080":          "",
		"https://mail.example.org/":      "",
		"https://example.org/mail":       "/mail",
		"https://example.org/mail/":      "/mail",
		"https://example.org/a/webmail/": "/a/webmail",
	} {
		c, err := Load("", env(map[string]string{"WEBMAIL_PUBLIC_URL": url}))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.BasePath(); got != want {
			t.Errorf("BasePath() of %q = %q, want %q", url, got, want)
		}
	}
}

func TestArgon2Limits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a    Argon2
		want []FieldError
	}{
		{"minimum", Argon2{Time: 1, MemoryKiB: 8, Threads: 1, MaxConcurrent: 1}, nil},
		{"maximum", Argon2{Time: 1, MemoryKiB: 4 << 20, Threads: 255, MaxConcurrent: 1}, nil},
		{"too much memory", Argon2{Time: 1, MemoryKiB: 4<<20 + 1, Threads: 1, MaxConcurrent: 1},
			[]FieldError{{"argon2.memory_kib", "must be at most 4194304 (4 GiB), got 4194305"}}},
		{"no threads", Argon2{Time: 1, MemoryKiB: 0, Threads: 0, MaxConcurrent: 1}, []FieldError{
			{"argon2.memory_kib", "must be at least 8 * argon2.threads = 8, got 0"},
			{"argon2.threads", "must be between 1 and 255, got 0"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := Default()
			c.Argon2 = tt.a
			var got []FieldError
			if err := c.Validate(); err != nil {
				got = problems(t, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSlogLevel(t *testing.T) {
	t.Parallel()
	for level, want := range map[string]slog.Level{
		"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError, "": slog.LevelInfo,
	} {
		if got := (Log{Level: level}).SlogLevel(); got != want {
			t.Errorf("Log{Level: %q}.SlogLevel() = %v, want %v", level, got, want)
		}
	}
}

// TestSample checks that the sample file loads, that the defaults it shows
// are the real ones, and that it documents every key and variable.
func TestSample(t *testing.T) {
	t.Parallel()
	got, err := Load("webmail.sample.toml", nil)
	if err != nil {
		t.Fatalf("Load(sample): %v", err)
	}
	want := Default()
	want.Demo = false
	want.IMAP.Host, want.IMAP.Port = "mail.example.org", 993
	want.SMTP.Host, want.SMTP.Port = "mail.example.org", 465
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sample (-want +got):\n%s", diff)
	}

	sample, err := os.ReadFile("webmail.sample.toml")
	if err != nil {
		t.Fatal(err)
	}
	var c Config
	for _, v := range envVars(&c) {
		if !bytes.Contains(sample, []byte("# Env: "+v.name)) {
			t.Errorf("sample does not document %s", v.name)
		}
		key := v.key[strings.LastIndexByte(v.key, '.')+1:]
		if !bytes.Contains(sample, []byte("\n"+key+" = ")) && !bytes.Contains(sample, []byte("\n# "+key+" = ")) {
			t.Errorf("sample does not show key %s", v.key)
		}
	}
	if !bytes.Contains(sample, []byte(EnvConfig)) {
		t.Errorf("sample does not mention %s", EnvConfig)
	}
}

func TestPathFromEnv(t *testing.T) {
	t.Parallel()
	if got := PathFromEnv(env(map[string]string{"WEBMAIL_CONFIG": " /etc/webmail.toml "})); got != "/etc/webmail.toml" {
		t.Errorf("PathFromEnv = %q", got)
	}
	if got := PathFromEnv(nil); got != "" {
		t.Errorf("PathFromEnv(nil) = %q", got)
	}
}

// TestString checks that String is TOML that loads back to the same Config.
func TestString(t *testing.T) {
	t.Parallel()
	c, err := Load(writeFile(t, `
public_url = "https://mail.example.org"
[imap]
host = "::1"
security = "plain"
[smtp]
host = "smtp.example.org"
tls_server_name = "mx.example.org"
use_imap_credentials = false
[[domain]]
name = "example.com"
imap.host = "imap.example.com"
smtp.host = "smtp.example.com"
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Load(writeFile(t, c.String()), nil)
	if err != nil {
		t.Fatalf("loading String():\n%s\n%v", c, err)
	}
	if diff := cmp.Diff(c, again); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if s := Default().String(); !strings.HasPrefix(s, "# demo mode") {
		t.Errorf("Default().String() does not say demo mode:\n%s", s)
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	t.Parallel()
	type withSecret struct {
		Name   string
		Secret Secret
	}
	v := withSecret{"id", Secret("hunter2")}
	var outputs []string
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		outputs = append(outputs, fmt.Sprintf(format, v), fmt.Sprintf(format, v.Secret))
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, string(j))
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "v", v, "s", v.Secret)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "v", v, "s", v.Secret)
	outputs = append(outputs, logged.String())
	for _, out := range outputs {
		if strings.Contains(out, "hunter2") || strings.Contains(out, fmt.Sprintf("%x", "hunter2")) {
			t.Errorf("secret printed: %s", out)
		}
	}
	if v.Secret.Reveal() != "hunter2" {
		t.Errorf("Reveal() = %q", v.Secret.Reveal())
	}
}

func TestShutdownWait(t *testing.T) {
	t.Parallel()
	c := Default()
	if got := c.ShutdownWait(); got != 30*time.Second {
		t.Errorf("default: %v, want imap_timeout + 10s = 30s", got)
	}
	c.IMAPTimeout = minutes(1)
	if got := c.ShutdownWait(); got != 70*time.Second {
		t.Errorf("imap_timeout 1m: %v, want 1m10s", got)
	}
	c.ShutdownTimeout = minutes(2)
	if got := c.ShutdownWait(); got != 2*time.Minute {
		t.Errorf("set to 2m: %v", got)
	}
}

// TestMetrics checks the metrics keys from the file and the environment,
// and that bad ones are reported by key.
func TestMetrics(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "[metrics]\nlisten = \"127.0.0.1:9100\"\nallow = [\"10.0.0.0/8\", \"192.0.2.7\"]\n")
	c, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Metrics{Listen: "127.0.0.1:9100", Allow: []string{"10.0.0.0/8", "192.0.2.7"}}, c.Metrics); diff != "" {
		t.Errorf("file (-want +got):\n%s", diff)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}
	if diff := cmp.Diff(want, c.Metrics.AllowPrefixes(), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("AllowPrefixes (-want +got):\n%s", diff)
	}

	c, err = Load(path, env(map[string]string{"WEBMAIL_METRICS_ALLOW": " ::1/128 , 127.0.0.1 ", "WEBMAIL_METRICS_LISTEN": ":9200"}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Metrics{Listen: ":9200", Allow: []string{"::1/128", "127.0.0.1"}}, c.Metrics); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}

	_, err = Load("", env(map[string]string{"WEBMAIL_METRICS_ALLOW": "10.0.0.0/8,example.org", "WEBMAIL_METRICS_LISTEN": "9100"}))
	var keys []string
	for _, p := range problems(t, err) {
		keys = append(keys, p.Key)
	}
	if diff := cmp.Diff([]string{"metrics.listen", "metrics.allow[1]"}, keys); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}
