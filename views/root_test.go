package views

import (
	"context"
	"testing"
)

func TestPath(t *testing.T) {
	t.Parallel()
	mail := WithRoot(context.Background(), "/mail")
	tests := []struct {
		ctx  context.Context
		in   string
		want string
	}{
		{context.Background(), "/m/INBOX", "/m/INBOX"},
		{mail, "/m/INBOX", "/mail/m/INBOX"},
		{mail, "/", "/mail/"},
		{mail, "https://accounts.example.org/auth?x=1", "https://accounts.example.org/auth?x=1"},
		{mail, "//evil.example", "//evil.example"},
		{mail, `/\evil.example`, `/\evil.example`},
		{mail, "", ""},
	}
	for _, tt := range tests {
		if got := Path(tt.ctx, tt.in); got != tt.want {
			t.Errorf("Path(%q under %q) = %q, want %q", tt.in, Root(tt.ctx), got, tt.want)
		}
	}
}
