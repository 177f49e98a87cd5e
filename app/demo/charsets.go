package demo

import (
	"fmt"
	"strings"
)

// legacyCharset is a non-UTF-8 charset used by the demo messages.
//
// golang.org/x/text is not in go.sum, so the mappings are hand-written and
// cover only what the demo content needs: all of ISO-8859-1, all of
// windows-1252, the Russian letters of KOI8-R (without Ё) and the few kanji
// and kana of the Japanese message in Shift_JIS.
type legacyCharset string

const (
	latin1      legacyCharset = "ISO-8859-1"
	windows1252 legacyCharset = "windows-1252"
	koi8r       legacyCharset = "KOI8-R"
	shiftJIS    legacyCharset = "Shift_JIS"
)

// windows1252High maps the bytes 0x80 to 0x9F of windows-1252; U+FFFD marks
// the five unassigned ones. Bytes 0xA0 to 0xFF are the same as ISO-8859-1.
const windows1252High = "€\uFFFD‚ƒ„…†‡ˆ‰Š‹Œ\uFFFDŽ\uFFFD\uFFFD‘’“”•–—˜™š›œ\uFFFDžŸ"

// koi8rLetters maps the bytes 0xC0 to 0xFF of KOI8-R.
const koi8rLetters = "юабцдефгхийклмнопярстужвьызшэщчъЮАБЦДЕФГХИЙКЛМНОПЯРСТУЖВЬЫЗШЭЩЧЪ"

// shiftJISTable maps the characters of the Japanese demo message to their
// two-byte Shift_JIS codes.
var shiftJISTable = map[rune]uint16{
	'　': 0x8140, '、': 0x8141, '。': 0x8142, 'い': 0x82A2, 'お': 0x82A8, 'か': 0x82A9, 'く': 0x82AD, 'ご': 0x82B2,
	'さ': 0x82B3, 'し': 0x82B5, 'す': 0x82B7, 'せ': 0x82B9, 'た': 0x82BD, 'ち': 0x82BF, 'つ': 0x82C2, 'て': 0x82C4,
	'で': 0x82C5, 'ど': 0x82C7, 'に': 0x82C9, 'の': 0x82CC, 'は': 0x82CD, 'ほ': 0x82D9, 'ま': 0x82DC, 'よ': 0x82E6,
	'ら': 0x82E7, 'り': 0x82E8, 'れ': 0x82EA, 'ろ': 0x82EB, 'わ': 0x82ED, 'を': 0x82F0, 'ん': 0x82F1, 'イ': 0x8343,
	'ウ': 0x8345, 'ェ': 0x8346, 'サ': 0x8354, 'ザ': 0x8355, 'デ': 0x8366, 'ト': 0x8367, 'ブ': 0x8375, 'プ': 0x8376,
	'モ': 0x8382, 'ル': 0x838B, 'ン': 0x8393, '一': 0x88EA, '三': 0x8E4F, '中': 0x9286, '了': 0x97B9, '事': 0x8E96,
	'二': 0x93F1, '五': 0x8CDC, '今': 0x8DA1, '会': 0x89EF, '修': 0x8F43, '先': 0x90E6, '公': 0x8CF6, '十': 0x8F5C,
	'午': 0x8CDF, '合': 0x8D87, '営': 0x8963, '回': 0x89F1, '子': 0x8E71, '完': 0x8AAE, '式': 0x8EAE, '後': 0x8CE3,
	'打': 0x91C5, '新': 0x9056, '日': 0x93FA, '時': 0x8E9E, '曜': 0x976A, '月': 0x8C8E, '来': 0x9788, '株': 0x8A94,
	'業': 0x8BC6, '様': 0x976C, '次': 0x8E9F, '正': 0x90B3, '田': 0x9363, '疲': 0x94E6, '確': 0x8A6D, '社': 0x8ED0,
	'花': 0x89D4, '認': 0x9446, '議': 0x8B63, '送': 0x9197, '週': 0x8F54, '部': 0x9594, '金': 0x8BE0, '録': 0x985E,
	'開': 0x8A4A, '願': 0x8AE8,
}

// encode converts s to the charset; it fails on characters outside the
// tables above.
func (c legacyCharset) encode(s string) ([]byte, error) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r < 0x80 {
			b = append(b, byte(r))
			continue
		}
		switch c {
		case latin1:
			if r <= 0xFF {
				b = append(b, byte(r))
				continue
			}
		case windows1252:
			if r >= 0xA0 && r <= 0xFF {
				b = append(b, byte(r))
				continue
			}
			if i := indexRune(windows1252High, r); i >= 0 && r != '\uFFFD' {
				b = append(b, 0x80+byte(i))
				continue
			}
		case koi8r:
			if i := indexRune(koi8rLetters, r); i >= 0 {
				b = append(b, 0xC0+byte(i))
				continue
			}
		case shiftJIS:
			if code, ok := shiftJISTable[r]; ok {
				b = append(b, byte(code>>8), byte(code))
				continue
			}
		}
		return nil, fmt.Errorf("demo: %q has no %s mapping", r, c)
	}
	return b, nil
}

// mustEncode is encode for the constant demo texts, which the tests check.
func (c legacyCharset) mustEncode(s string) string {
	b, err := c.encode(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// indexRune returns the index in runes (not bytes) of r in s, or -1.
func indexRune(s string, r rune) int {
	i := strings.IndexRune(s, r)
	if i < 0 {
		return -1
	}
	return len([]rune(s[:i]))
}
