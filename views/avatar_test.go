package views

import (
	"testing"

	"webmail"
)

func TestInitials(t *testing.T) {
	for _, c := range []struct {
		a    webmail.Address
		want string
	}{
		{webmail.Address{Name: "Jonas Weber", Mailbox: "jonas", Host: "example.net"}, "JW"},
		{webmail.Address{Name: "José Müller-Łukasiewicz"}, "JŁ"},
		{webmail.Address{Name: "\"ann\"", Mailbox: "ann"}, "A"},
		{webmail.Address{Mailbox: "ci", Host: "example.org"}, "C"},
		{webmail.Address{Name: "山田 太郎"}, "山太"},
		{webmail.Address{}, "?"},
	} {
		if got := Initials(c.a); got != c.want {
			t.Errorf("Initials(%+v) = %q, want %q", c.a, got, c.want)
		}
	}
	a := webmail.Address{Name: "Ann", Mailbox: "ann", Host: "example.net"}
	b := webmail.Address{Name: "Someone else", Mailbox: "ANN", Host: "Example.NET"}
	if AvatarClass(a) != AvatarClass(b) {
		t.Errorf("one address, two colours: %q and %q", AvatarClass(a), AvatarClass(b))
	}
}
