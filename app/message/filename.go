package message

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxFilenameBytes is the longest name SafeFilename returns; file systems
// commonly allow 255 bytes.
const maxFilenameBytes = 200

// SafeFilename makes a file name from a message safe to offer for download
// (for example in Content-Disposition): it keeps only the last path
// element, drops control, format and bidirectional-override characters
// (which can disguise "gpj.exe" as "exe.jpg"), drops quotes, replaces
// characters Windows forbids, trims leading dots and spaces and trailing
// dots and spaces, avoids reserved device names and limits the length,
// keeping the extension. It returns "attachment" if nothing is left.
func SafeFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case r == '"' || r == '\'' || r == '`':
			continue
		case unicode.IsSpace(r):
			if space {
				continue
			}
			space = true
			b.WriteByte(' ')
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError:
			// C0, C1, DEL, and format characters: bidi overrides and
			// isolates, zero-width joiners and spaces, BOM.
			continue
		case strings.ContainsRune(`<>:|?*`, r):
			r = '_'
		}
		space = false
		b.WriteRune(r)
	}
	name = strings.Trim(b.String(), " .")
	// Leading dots (hidden files, "..") and trailing dots and spaces (which
	// Windows drops) are gone; also drop a leading "-" that could be read
	// as a command-line option.
	name = strings.TrimLeft(name, "-. ")
	if len(name) > maxFilenameBytes {
		ext := ""
		if i := strings.LastIndexByte(name, '.'); i > 0 && len(name)-i <= 16 {
			ext = name[i:]
		}
		base := name[:maxFilenameBytes-len(ext)]
		for len(base) > 0 && !utf8.ValidString(base) {
			base = base[:len(base)-1]
		}
		name = strings.TrimRight(base, " .") + ext
	}
	if name == "" {
		return "attachment"
	}
	stem := strings.ToUpper(name)
	if i := strings.IndexByte(stem, '.'); i >= 0 {
		stem = stem[:i]
	}
	switch strings.TrimSpace(stem) {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		name = "_" + name
	}
	return name
}
