package config

import (
	"net/url"
	"os"
	"strings"
)

// redisURLProblem says what is wrong with a session.redis_url, or "". The
// problem never repeats the URL, which may hold a password.
func redisURLProblem(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "is not a URL"
	case u.Scheme != "redis" && u.Scheme != "rediss":
		return "must start with redis:// or rediss://"
	case u.Host == "":
		return "must name a host (redis://host:6379/0)"
	case u.User != nil:
		if _, has := u.User.Password(); has {
			return "must not hold a password: put it in a file named by session.redis_password_file (or WEBMAIL_SESSION_REDIS_PASSWORD_FILE)"
		}
	}
	return ""
}

// loadRedisPassword reads session.redis_password_file.
func loadRedisPassword(c *Config) ValidationError {
	path := c.Session.RedisPasswordFile
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	switch {
	case err != nil:
		// The error names the path, never the content.
		return ValidationError{{Key: "session.redis_password_file", Problem: "cannot be read: " + err.Error()}}
	case strings.TrimSpace(string(b)) == "":
		return ValidationError{{Key: "session.redis_password_file", Problem: "the file " + path + " is empty"}}
	}
	c.Session.RedisPassword = Secret(strings.TrimSpace(string(b)))
	return nil
}
