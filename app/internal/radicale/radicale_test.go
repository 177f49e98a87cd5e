package radicale

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestStartServesTheAddressBook(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Books: true})
	if got := s.Cards(t, DefaultLogin, DefaultPassword); strings.Contains(got, "BEGIN:VCARD") {
		t.Errorf("a new address book holds cards:\n%s", got)
	}
	req, _ := http.NewRequest(http.MethodGet, s.BookURL(DefaultLogin), nil)
	req.SetBasicAuth(DefaultLogin, "wrong")
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: status %d, want 401", resp.StatusCode)
	}
	s.Stop()
	if _, err := http.Get(s.URL()); err == nil {
		t.Error("the server still answers after Stop")
	}
}
