package app

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestConversations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	doc := c.page(t, "/m/INBOX?threads=1", http.StatusOK)
	convs := doc.Find("[data-testid=conversation]")
	plain := c.page(t, "/m/INBOX", http.StatusOK).Find("[data-testid=row]").Length()
	if convs.Length() == 0 || convs.Length() >= plain {
		t.Fatalf("%d conversations for %d messages: nothing grouped", convs.Length(), plain)
	}
	total := 0
	var thread *goquery.Selection
	convs.Each(func(_ int, s *goquery.Selection) {
		n := 1
		if cnt := s.Find("[data-testid=thread-count]"); cnt.Length() > 0 {
			n, _ = strconv.Atoi(text(cnt))
			if thread == nil {
				thread = s
			}
		}
		total += n
	})
	if total != plain {
		t.Errorf("conversations hold %d messages, the page has %d", total, plain)
	}
	if thread == nil {
		t.Fatal("no conversation with more than one message on the first page")
	}
	want, _ := strconv.Atoi(text(thread.Find("[data-testid=thread-count]")))
	unread := thread.HasClass("unread")
	href, _ := thread.Find("a").Attr("href")
	doc = c.page(t, href, http.StatusOK)
	// The folder's messages, and the person's replies from Sent besides.
	msgs := doc.Find("[data-testid=conv-message][data-folder=INBOX]")
	if msgs.Length() != want {
		t.Errorf("conversation shows %d messages of INBOX, want %d", msgs.Length(), want)
	}
	if doc.Find("[data-testid=conversation-view] [data-testid=reply]").Length() == 0 {
		t.Error("no Reply in the conversation view")
	}
	if doc.Find("[data-testid=conv-message][open]").Length() == 0 {
		t.Error("no message expanded")
	}
	if unread {
		doc = c.page(t, "/m/INBOX?threads=1", http.StatusOK)
		uid := thread.AttrOr("data-uid", "")
		if doc.Find("[data-testid=conversation][data-uid='" + uid + "']").HasClass("unread") {
			t.Error("the conversation is still unread after opening it")
		}
	}
}
