package views

import (
	"hash/fnv"
	"strings"
	"unicode"
	"unicode/utf8"

	"webmail"
)

// avatarColours is how many colours sender circles come in (classes c0 to
// c7 in app.css, each readable in light and dark).
const avatarColours = 8

// AvatarClass is the colour class of a sender's circle: the same address
// always gets the same colour, whatever its name.
func AvatarClass(a webmail.Address) string {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(a.Addr())))
	return "c" + string(rune('0'+h.Sum32()%avatarColours))
}

// Initials are one or two letters for a sender's circle: the first
// letters of the first and last words of the name, else the address's
// first letter.
func Initials(a webmail.Address) string {
	words := strings.FieldsFunc(a.Name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) == 0 {
		words = []string{a.Mailbox}
	}
	first := firstLetter(words[0])
	if len(words) > 1 {
		first += firstLetter(words[len(words)-1])
	}
	if first == "" {
		return "?"
	}
	return first
}

func firstLetter(w string) string {
	r, _ := utf8.DecodeRuneInString(w)
	if r == utf8.RuneError || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
		return ""
	}
	return string(unicode.ToUpper(r))
}
