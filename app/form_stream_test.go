package app

import (
	"bufio"
	"bytes"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

func newMultipart(fields [][2]string, files ...upfile) (body *bytes.Buffer, contentType string) {
	body = &bytes.Buffer{}
	mw := multipart.NewWriter(body)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	for _, f := range files {
		w, _ := mw.CreateFormFile("attachments", f.name)
		w.Write(f.data)
	}
	mw.Close()
	return body, mw.FormDataContentType()
}

func readTestForm(t *testing.T, spec streamSpec, fields [][2]string, files ...upfile) (*streamedForm, error) {
	t.Helper()
	body, ct := newMultipart(fields, files...)
	r := httptest.NewRequest("POST", "/compose", body)
	r.Header.Set("Content-Type", ct)
	return readStreamedForm(httptest.NewRecorder(), r, spec)
}

func fileContent(t *testing.T, u *upload) []byte {
	t.Helper()
	b, err := os.ReadFile(u.Path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// carriedValue is u's content as a carried keep value.
func carriedValue(t *testing.T, name, typ string, data []byte) string {
	t.Helper()
	tmp, err := os.CreateTemp(t.TempDir(), "carried-*")
	if err != nil {
		t.Fatal(err)
	}
	tmp.Write(data)
	tmp.Close()
	var b strings.Builder
	if err := writeCarried(&b, upload{Name: name, Type: typ, Path: tmp.Name(), Size: int64(len(data))}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestReadStreamedForm: the secret comes back as bytes and is not among
// the values; keep values are references or carried files, in order;
// uploads are spooled; past the limit the uploads are dropped and every
// later field still arrives; cleanup removes every file.
func TestReadStreamedForm(t *testing.T) {
	t.Parallel()
	spec := streamSpec{secret: "smtp_password", keep: "keep", files: "attachments", maxFiles: 1000}
	carried := carriedValue(t, "Übersicht: Q1.pdf", "application/pdf", []byte("%PDF\x00\xff carried"))
	sf, err := readTestForm(t, spec, [][2]string{
		{"subject", "Hi"}, {"smtp_password", "s3cret ✓"}, {"keep", "d:2"}, {"keep", carried}, {"keep", "f:1.2"}, {"body", "Text"},
	}, upfile{name: "a.txt", data: []byte("new file")})
	if err != nil {
		t.Fatal(err)
	}
	if string(sf.secret) != "s3cret ✓" || sf.values.Has("smtp_password") {
		t.Errorf("secret %q, values %v", sf.secret, sf.values)
	}
	if sf.values.Get("subject") != "Hi" || sf.values.Get("body") != "Text" || sf.values.Has("keep") {
		t.Errorf("values %v", sf.values)
	}
	if len(sf.keeps) != 3 || sf.keeps[0].ref != "d:2" || sf.keeps[1].data == nil || sf.keeps[2].ref != "f:1.2" {
		t.Fatalf("keeps %+v", sf.keeps)
	}
	if d := sf.keeps[1].data; d.Name != "Übersicht: Q1.pdf" || d.Type != "application/pdf" || string(fileContent(t, d)) != "%PDF\x00\xff carried" {
		t.Errorf("carried file %+v: %q", d, fileContent(t, d))
	}
	if len(sf.uploads) != 1 || string(fileContent(t, &sf.uploads[0])) != "new file" || sf.tooLarge {
		t.Errorf("uploads %+v, too large %v", sf.uploads, sf.tooLarge)
	}
	paths := []string{sf.keeps[1].data.Path, sf.uploads[0].Path}
	sf.cleanup()
	for _, p := range paths {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left after cleanup", p)
		}
	}
	if len(sf.secret) > 0 && sf.secret[0] != 0 {
		t.Error("cleanup did not wipe the secret")
	}

	// Too large: the uploads go, the later field comes.
	sf, err = readTestForm(t, spec, [][2]string{{"subject", "Big"}},
		upfile{name: "small.txt", data: bytes.Repeat([]byte("x"), 600)}, upfile{name: "big.bin", data: bytes.Repeat([]byte("y"), 600)})
	if err != nil {
		t.Fatal(err)
	}
	if !sf.tooLarge || len(sf.uploads) != 0 || sf.values.Get("subject") != "Big" {
		t.Errorf("too large %v, uploads %d, values %v", sf.tooLarge, len(sf.uploads), sf.values)
	}
	sf.cleanup()

	// A text field over its limit is an error.
	if _, err := readTestForm(t, spec, [][2]string{{"body", strings.Repeat("z", maxFieldBytes+1)}}); err == nil {
		t.Error("a field over the limit was read")
	}
}

// FuzzReadCarried: a carried keep value, however damaged, is read into a
// file of at most the limit or refused, and what writeCarried wrote reads
// back as it was.
func FuzzReadCarried(f *testing.F) {
	f.Add("data:application/pdf;name=a%3A+b.pdf;base64,JVBERg==", "a: b.pdf", "application/pdf", []byte("%PDF"))
	f.Add("data:;base64,", "", "", []byte{})
	f.Add("data:text/plain;name=x;base64,!!!!", "x\x00y", "text/html; charset=utf-8", []byte{0, 1, 2})
	f.Add("data:image/png;base64", "ü", "IMAGE/PNG", bytes.Repeat([]byte{0xff}, 100))
	f.Fuzz(func(t *testing.T, value, name, typ string, data []byte) {
		const limit = 64
		if u, n, err := readCarried(bufio.NewReader(strings.NewReader(value)), limit); err == nil {
			if n > limit || u.Size != n || carriedType(u.Type) != u.Type {
				t.Errorf("read %d bytes (size %d, type %q) with limit %d", n, u.Size, u.Type, limit)
			}
			u.remove()
		}
		v := carriedValue(t, name, typ, data)
		if strings.ContainsAny(v, "\"'<>& \r\n") {
			t.Errorf("the value %.60q needs escaping in an attribute", v)
		}
		u, _, err := readCarried(bufio.NewReader(strings.NewReader(v)), int64(len(data)))
		if err != nil {
			t.Fatalf("reading back %.60q: %v", v, err)
		}
		defer u.remove()
		if got := fileContent(t, &u); !bytes.Equal(got, data) || u.Name != name || u.Type != carriedType(typ) {
			t.Errorf("read back %q %q %q, want %q %q %q", got, u.Name, u.Type, data, name, carriedType(typ))
		}
	})
}
