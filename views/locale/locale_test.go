package locale

import (
	"testing"

	"golang.org/x/text/language"
)

func TestPick(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		setting, accept string
		want            language.Tag
	}{
		{"", "de-DE,de;q=0.9,en;q=0.5", language.German},
		{"", "ar-EG,ar;q=0.9", language.Arabic},
		{"", "fr-FR,fr;q=0.9", language.English}, // not spoken here: English
		{"", "fr-FR,de;q=0.5", language.German},  // the best the webmail speaks
		{"", "", language.English},
		{"", "garbage;;q=x", language.English},
		{"de", "ar", language.German},  // the setting wins
		{"en", "de", language.English}, // English chosen on purpose
		{"fr", "ar", language.Arabic},  // a setting not spoken: the browser's
		{"not a tag!", "de", language.German},
	} {
		if got := Pick(tc.setting, tc.accept); got != tc.want {
			t.Errorf("Pick(%q, %q) = %v, want %v", tc.setting, tc.accept, got, tc.want)
		}
	}
}

func TestDirection(t *testing.T) {
	t.Parallel()
	for tag, want := range map[language.Tag]string{language.English: "ltr", language.German: "ltr", language.Arabic: "rtl"} {
		if l := For(tag); l.Dir() != want || l.Lang() != tag.String() {
			t.Errorf("%v: lang %q dir %q, want dir %q", tag, l.Lang(), l.Dir(), want)
		}
	}
}
