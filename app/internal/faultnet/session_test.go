package faultnet

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// event is bytes from the client (c) or the server (s).
type event struct {
	from byte
	data string
}

// TestSessionChunks feeds exchanges to a session in chunks of every size from one
// byte up, since TCP may split and join the bytes anywhere.
func TestSessionChunks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		events []event
		want   []string
	}{
		{
			name: "imap",
			events: []event{
				{'s', "* OK ready\r\n"},
				{'c', "a1 LOGIN alice secret\r\n"},
				{'s', "a1 OK done\r\n"},
				{'c', "a2 LOGIN {5}\r\n"},
				{'s', "+ go\r\n"},
				{'c', "alice {6}\r\n"},
				{'s', "+ go\r\n"},
				{'c', "secret\r\n"},
				{'s', "a2 OK\r\n"},
				// A pipelined NOOP's reply does not end the SASL exchange.
				{'c', "a3 NOOP\r\na4 AUTHENTICATE PLAIN\r\n"},
				{'s', "a3 OK\r\n+ \r\n"},
				{'c', "AGFsaWNlAHNlY3JldA==\r\n"},
				{'s', "* CAPABILITY IMAP4rev1\r\na4 OK done\r\n"},
				{'c', "a5 APPEND INBOX ~{12}\r\n"},
				{'s', "+ OK\r\n"},
				{'c', "hello\r\nworld\r\n"},
				{'s', "a5 OK\r\n"},
				{'c', "a6 NOOP\n"},
			},
			want: []string{"a1 LOGIN [redacted]", "a2 LOGIN [redacted]", "a3 NOOP", "a4 AUTHENTICATE PLAIN", "[redacted]", "a5 APPEND INBOX ~{12}", "a6 NOOP"},
		},
		{
			name: "smtp",
			events: []event{
				{'s', "220 mx ESMTP\r\n"},
				{'c', "EHLO c\r\n"},
				{'s', "250-mx\r\n250 AUTH PLAIN LOGIN\r\n"},
				{'c', "AUTH PLAIN\r\n"},
				{'s', "334 \r\n"},
				{'c', "AGFsaWNlAHNlY3JldA==\r\n"},
				{'s', "535 5.7.8 bad\r\n"},
				{'c', "AUTH LOGIN\r\n"},
				{'s', "334 VXNlcm5hbWU6\r\n"},
				{'c', "YWxpY2U=\r\n"},
				{'s', "334 UGFzc3dvcmQ6\r\n"},
				{'c', "c2VjcmV0\r\n"},
				{'s', "235 ok\r\n"},
				// Pipelined: the replies before 354 do not start the data.
				{'c', "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"},
				{'s', "250 ok\r\n250 ok\r\n354 go\r\n"},
				{'c', "Subject: x\r\n\r\nAUTH PLAIN body\r\n.\r\n"},
				{'s', "250 queued\r\n"},
				{'c', "RCPT TO:<e@f>\r\nDATA\r\n"},
				{'s', "550 no\r\n554 no valid recipients\r\n"},
				{'c', "BDAT 6 LAST\r\nab\r\ncd"},
				{'s', "250 ok\r\n"},
				{'c', "QUIT\r\n"},
			},
			want: []string{"EHLO c", "AUTH PLAIN", "[redacted]", "AUTH LOGIN", "[redacted]", "[redacted]", "MAIL FROM:<a@b>", "RCPT TO:<c@d>", "DATA", "RCPT TO:<e@f>", "DATA", "BDAT 6 LAST", "QUIT"},
		},
	}
	for _, tt := range tests {
		longest := 0
		for _, e := range tt.events {
			longest = max(longest, len(e.data))
		}
		for size := 1; size <= longest; size++ {
			t.Run(fmt.Sprintf("%s/%d", tt.name, size), func(t *testing.T) {
				t.Parallel()
				p := &Proxy{}
				s := &session{p: p}
				for _, e := range tt.events {
					for b := []byte(e.data); len(b) > 0; b = b[min(size, len(b)):] {
						if e.from == 'c' {
							s.clientData(b[:min(size, len(b))])
						} else {
							s.serverData(b[:min(size, len(b))])
						}
					}
				}
				if diff := cmp.Diff(tt.want, p.Commands()); diff != "" {
					t.Errorf("Commands() (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestLongLine(t *testing.T) {
	t.Parallel()
	p := &Proxy{}
	s := &session{p: p}
	long := make([]byte, maxLine+10)
	for i := range long {
		long[i] = 'x'
	}
	s.clientData(append(long, "\r\n"...))
	got := p.Commands()
	if len(got) != 1 || got[0] != string(long[:maxLine])+"…" {
		t.Errorf("long line recorded as %d commands, want one cut to %d bytes", len(got), maxLine)
	}
}
