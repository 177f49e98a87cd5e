package message

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"webmail"
)

func TestParseUnsubscribe(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, raw string
		want      webmail.Unsubscribe
	}{
		{"none", "Subject: hello\r\n", webmail.Unsubscribe{}},
		{"one-click", "List-Id: \"Example News\" <news.example.com>\r\nList-Unsubscribe: <mailto:leave@example.com?subject=stop>,\r\n <https://example.com/u/ab\r\n cd>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
			webmail.Unsubscribe{List: "Example News", OneClick: "https://example.com/u/abcd", Mailto: "mailto:leave@example.com?subject=stop", Web: "https://example.com/u/abcd"}},
		{"https without post", "List-Id: <news.example.com>\r\nList-Unsubscribe: <https://example.com/u>\r\n",
			webmail.Unsubscribe{List: "news.example.com", Web: "https://example.com/u"}},
		{"post but only http", "List-Unsubscribe: <http://example.com/u>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
			webmail.Unsubscribe{Web: "http://example.com/u"}},
		{"mailto only, encoded list name", "List-Id: =?utf-8?q?Caf=C3=A9_club?= <cafe.example.org>\r\nList-Unsubscribe: <mailto:cafe-leave@example.org>\r\n",
			webmail.Unsubscribe{List: "Café club", Mailto: "mailto:cafe-leave@example.org"}},
		{"refused schemes and credentials", "List-Unsubscribe: <javascript:alert(1)>, <https://user:pw@example.com/u>, <ftp://example.com/u>, <https:///nohost>, <mailto:>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
			webmail.Unsubscribe{}},
		{"no brackets", "List-Unsubscribe: https://example.com/u\r\n", webmail.Unsubscribe{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ParseUnsubscribe([]byte(tc.raw))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if got.Offered() != (tc.want != webmail.Unsubscribe{}) {
				t.Errorf("Offered() = %v", got.Offered())
			}
		})
	}
}

// FuzzParseUnsubscribe: any header block parses without panic, and what
// it offers is only mailto: and http(s) URIs, one-click only over https.
func FuzzParseUnsubscribe(f *testing.F) {
	f.Add([]byte("List-Unsubscribe: <mailto:a@b>, <https://c/d>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nList-Id: x <y>\r\n"))
	f.Add([]byte("List-Unsubscribe: <<https://c/d>>\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		u := ParseUnsubscribe(raw)
		if u.OneClick != "" && (len(u.OneClick) < 8 || !equalFoldPrefix(u.OneClick, "https://")) {
			t.Errorf("one-click URI %q", u.OneClick)
		}
		if u.Mailto != "" && !equalFoldPrefix(u.Mailto, "mailto:") {
			t.Errorf("mailto URI %q", u.Mailto)
		}
		if u.Web != "" && !equalFoldPrefix(u.Web, "http://") && !equalFoldPrefix(u.Web, "https://") {
			t.Errorf("web URI %q", u.Web)
		}
	})
}

func equalFoldPrefix(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
