package app

import (
	"net/http"
	"testing"
)

// TestEmptySearchSuggests: a search without matches says so and offers
// the next step: all folders, or back to the folder.
func TestEmptySearchSuggests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	doc := c.page(t, "/m/INBOX?q=zzqqxxnothing", http.StatusOK)
	empty := doc.Find("[data-testid=empty]")
	if got := text(empty.Find("p").First()); got != "No messages match this search." {
		t.Errorf("empty search says %q", got)
	}
	if href := empty.Find("[data-testid=empty-all-folders]").AttrOr("href", ""); href != "/m/INBOX?q=zzqqxxnothing&scope=all" {
		t.Errorf("search all folders: href %q", href)
	}
	if href := empty.Find("[data-testid=empty-clear]").AttrOr("href", ""); href != "/m/INBOX" {
		t.Errorf("clear the search: href %q", href)
	}
}
