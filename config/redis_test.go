package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRedisSettings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "redis-password")
	if err := os.WriteFile(pwFile, []byte("s3cret-redis-pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		problem string // "" when valid
	}{
		{"memory", nil, ""},
		{"url and password file", map[string]string{"WEBMAIL_SESSION_REDIS_URL": "redis://127.0.0.1:6379/0", "WEBMAIL_SESSION_REDIS_PASSWORD_FILE": pwFile}, ""},
		{"tls", map[string]string{"WEBMAIL_SESSION_REDIS_URL": "rediss://cache.example.org:6380/2"}, ""},
		{"password in the URL", map[string]string{"WEBMAIL_SESSION_REDIS_URL": "redis://:hunter2-in-url@127.0.0.1:6379/0"}, "must not hold a password"},
		{"other scheme", map[string]string{"WEBMAIL_SESSION_REDIS_URL": "http://127.0.0.1:6379"}, "redis://"},
		{"missing file", map[string]string{"WEBMAIL_SESSION_REDIS_URL": "redis://127.0.0.1:6379/0", "WEBMAIL_SESSION_REDIS_PASSWORD_FILE": filepath.Join(dir, "nope")}, "cannot be read"},
		{"no timeout", map[string]string{"WEBMAIL_SESSION_REDIS_TIMEOUT": "0s"}, "session.redis_timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load("", env(tc.env))
			if tc.problem == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tc.env["WEBMAIL_SESSION_REDIS_PASSWORD_FILE"] != "" && cfg.Session.RedisPassword.Reveal() != "s3cret-redis-pw" {
					t.Errorf("password %q not read from the file", cfg.Session.RedisPassword.Reveal())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.problem) {
				t.Fatalf("error %v, want one saying %q", err, tc.problem)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("the error repeats the password: %v", err)
			}
		})
	}
}
