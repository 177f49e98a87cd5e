package carddav_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"webmail"
	"webmail/app/carddav"
	"webmail/app/internal/radicale"
)

func client(t *testing.T, url string, auth carddav.Auth) *carddav.Client {
	t.Helper()
	c, err := carddav.New(url, auth, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var alice = carddav.Auth{Login: radicale.DefaultLogin, Password: radicale.DefaultPassword}

func TestAddThenList(t *testing.T) {
	t.Parallel()
	s := radicale.Start(t, radicale.Options{Books: true})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// The server's root: the address book is found through the principal.
	c := client(t, s.URL(), alice)
	if got, err := c.List(ctx, 100); err != nil || len(got) != 0 {
		t.Fatalf("List of an empty book = %v, %v", got, err)
	}
	added, err := c.Add(ctx, "Bob Example, Jr.", "bob@example.net")
	if err != nil || !added {
		t.Fatalf("Add = %v, %v; want added", added, err)
	}
	if cards := s.Cards(t, radicale.DefaultLogin, radicale.DefaultPassword); !strings.Contains(cards, "EMAIL:bob@example.net") || !strings.Contains(cards, "FN:Bob Example\\, Jr.") {
		t.Errorf("Radicale serves:\n%s", cards)
	}
	// Once there, the address is not added twice, whatever its case.
	if added, err := client(t, s.URL(), alice).Add(ctx, "Bob", "Bob@Example.net"); err != nil || added {
		t.Errorf("Add again = %v, %v; want not added", added, err)
	}
	// The book's own URL works too.
	got, err := client(t, s.BookURL(radicale.DefaultLogin), alice).List(ctx, 100)
	want := []webmail.Contact{{Name: "Bob Example, Jr.", Email: "bob@example.net", InBook: true}}
	if err != nil || !cmp.Equal(got, want) {
		t.Errorf("List = %v (%v); diff (-want +got):\n%s", got, err, cmp.Diff(want, got))
	}
}

func TestFailures(t *testing.T) {
	t.Parallel()
	s := radicale.Start(t, radicale.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := client(t, s.URL(), alice).List(ctx, 10); !errors.Is(err, carddav.ErrNoBook) {
		t.Errorf("without an address book: %v, want ErrNoBook", err)
	}
	if _, err := client(t, s.URL(), carddav.Auth{Login: radicale.DefaultLogin, Password: "wrong"}).List(ctx, 10); !errors.Is(err, carddav.ErrRefused) {
		t.Errorf("wrong password: %v, want ErrRefused", err)
	}
	s.Stop()
	if _, err := client(t, s.URL(), alice).List(ctx, 10); !errors.Is(err, carddav.ErrUnreachable) {
		t.Errorf("server down: %v, want ErrUnreachable", err)
	}
}
