package app

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"unsafe"
)

// readSecretForm reads an application/x-www-form-urlencoded body of at
// most limit bytes into r.PostForm, all but the field named secret, whose
// value it returns as bytes of its own for the caller to wipe (clear) once
// used. The body it read is wiped before it returns. (r.ParseForm would
// leave the secret in strings that nobody can overwrite; what net/http
// buffered on the way is out of reach, see the README.)
func readSecretForm(w http.ResponseWriter, r *http.Request, limit int64, secret string) ([]byte, error) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		return nil, errors.New("not a urlencoded form")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	defer clear(body)
	if err != nil {
		return nil, err
	}
	r.PostForm = url.Values{}
	var value []byte
	for rest := body; len(rest) > 0; {
		var pair []byte
		pair, rest, _ = bytes.Cut(rest, []byte{'&'})
		k, v, _ := bytes.Cut(pair, []byte{'='})
		key, err := url.QueryUnescape(string(k))
		if err != nil {
			return nil, err
		}
		if key == secret {
			clear(value)
			if value, err = unescape(v); err != nil {
				return nil, err
			}
			continue
		}
		val, err := url.QueryUnescape(string(v))
		if err != nil {
			clear(value)
			return nil, err
		}
		r.PostForm.Add(key, val)
	}
	return value, nil
}

// unescape decodes a form value ("+" for space, %XX) into a new buffer.
func unescape(v []byte) ([]byte, error) {
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '+':
			out = append(out, ' ')
		case c == '%':
			if i+2 >= len(v) || !isHexDigit(v[i+1]) || !isHexDigit(v[i+2]) {
				clear(out)
				return nil, errors.New("bad percent escape in form")
			}
			out = append(out, hexVal(v[i+1])<<4|hexVal(v[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out, nil
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hexVal(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// viewString is b as a string sharing b's memory, so that clearing b
// wipes it: only for values used during one request and kept nowhere.
func viewString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
