package app

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// Limits of a form read as a stream.
const (
	maxFieldBytes = 1 << 20 // one text field (the body) at most
	maxTextBytes  = 4 << 20 // all text fields together
	// maxDrainBytes bounds a whole form body. Past the attachment limit
	// the uploads are read and dropped, so that the browser, still
	// sending, sees the answer saying so: a server that answers before
	// the body is read closes the connection, and browsers then show a
	// connection reset instead of the page. Past this bound it does.
	maxDrainBytes = 1 << 30
)

// streamSpec says how readStreamedForm treats a form's fields.
type streamSpec struct {
	// secret names the field whose value comes back as bytes of their
	// own, for the caller to wipe (a password: see readSecretForm).
	secret string
	// keep names the field of attachments already given: references to
	// parts of the person's mail, or content carried in the page as
	// data: URLs, which are decoded into temporary files.
	keep string
	// files names the file input whose uploads are spooled into
	// temporary files; "" for none.
	files string
	// maxFiles bounds the uploads and carried content together, decoded.
	maxFiles int64
}

// streamedForm is a form read as a stream: text fields in memory, files
// in temporary files, never whole in memory.
type streamedForm struct {
	values  url.Values
	secret  []byte
	keeps   []keep   // the keep field's values, in form order
	uploads []upload // the new files, in form order
	// tooLarge: the files passed maxFiles, and the new uploads were
	// dropped; what came before and every text field are there.
	tooLarge bool
}

// keep is an attachment already given: ref names a part of the draft or
// of the forwarded message ("d:2", "f:3"), or data holds content the page
// carried.
type keep struct {
	ref  string
	data *upload
}

// upload is a file spooled to a temporary file for one request.
type upload struct {
	Name, Type string
	Path       string
	Size       int64
}

func (u *upload) remove() {
	if u != nil && u.Path != "" {
		os.Remove(u.Path)
	}
}

// cleanup wipes the secret and removes the temporary files.
func (sf *streamedForm) cleanup() {
	clear(sf.secret)
	for _, k := range sf.keeps {
		k.data.remove()
	}
	for i := range sf.uploads {
		sf.uploads[i].remove()
	}
}

// readStreamedForm reads a multipart/form-data or urlencoded form body of
// at most maxDrainBytes. Text fields are read into values (each at most
// maxFieldBytes), the secret into bytes of its own (for a multipart form,
// multipart.Reader's buffer has seen it, as net/http's has: out of our
// reach), uploads and carried content into temporary files. When the
// files pass spec.maxFiles the new uploads are dropped and the rest of the
// body is read and discarded, so that every text field still arrives and
// the browser gets the answer.
func readStreamedForm(w http.ResponseWriter, r *http.Request, spec streamSpec) (*streamedForm, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return readURLEncodedForm(w, r, spec)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxDrainBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	sf := &streamedForm{values: url.Values{}}
	var text, files int64
	fail := func(err error) (*streamedForm, error) {
		sf.cleanup()
		return nil, err
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return sf, nil
		}
		if err != nil {
			if sf.tooLarge {
				// Past maxDrainBytes while dropping files: answer with
				// what arrived (net/http then closes the connection).
				return sf, nil
			}
			return fail(err)
		}
		name := part.FormName()
		switch {
		case part.FileName() != "" || name == spec.files && spec.files != "":
			if name != spec.files || spec.files == "" || sf.tooLarge {
				if _, err := io.Copy(io.Discard, part); err != nil && !sf.tooLarge {
					return fail(err)
				}
				continue
			}
			u, n, err := spool(part, part.FileName(), part.Header.Get("Content-Type"), spec.maxFiles-files)
			if err != nil {
				return fail(err)
			}
			if n > spec.maxFiles-files {
				u.remove()
				sf.dropUploads()
				io.Copy(io.Discard, part)
				continue
			}
			if u.Name == "" && u.Size == 0 {
				u.remove() // a file input left empty
				continue
			}
			files += n
			sf.uploads = append(sf.uploads, u)
		case name == spec.keep && spec.keep != "":
			br := bufio.NewReader(part)
			if head, _ := br.Peek(len(dataPrefix)); string(head) == dataPrefix {
				if sf.tooLarge {
					io.Copy(io.Discard, br)
					continue
				}
				u, n, err := readCarried(br, spec.maxFiles-files)
				switch {
				case errors.Is(err, errCarriedTooLarge):
					sf.dropUploads()
					io.Copy(io.Discard, br)
					continue
				case err != nil:
					return fail(err)
				}
				files += n
				sf.keeps = append(sf.keeps, keep{data: &u})
				continue
			}
			b, err := readField(br, &text)
			if err != nil {
				return fail(err)
			}
			if ref := string(b); ref != "" {
				sf.keeps = append(sf.keeps, keep{ref: ref})
			}
		default:
			b, err := readField(part, &text)
			if err != nil {
				clear(b)
				return fail(fmt.Errorf("form field %q: %w", name, err))
			}
			if name == spec.secret && spec.secret != "" {
				clear(sf.secret)
				sf.secret = b // kept as bytes, to be wiped
				continue
			}
			sf.values.Add(name, string(b))
		}
	}
}

// dropUploads marks the form too large and drops its new uploads.
func (sf *streamedForm) dropUploads() {
	sf.tooLarge = true
	for i := range sf.uploads {
		sf.uploads[i].remove()
	}
	sf.uploads = nil
}

var errFieldTooLarge = errors.New("form field too large")

// readField reads one text field, counting it against the form's total.
func readField(r io.Reader, total *int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxFieldBytes+1))
	*total += int64(len(b))
	switch {
	case err != nil:
		return b, err
	case len(b) > maxFieldBytes, *total > maxTextBytes:
		return b, errFieldTooLarge
	}
	return b, nil
}

// spool copies at most limit+1 bytes of r into a new temporary file; n
// over limit means r holds more than limit.
func spool(r io.Reader, name, typ string, limit int64) (upload, int64, error) {
	tmp, err := os.CreateTemp("", "webmail-upload-*")
	if err != nil {
		return upload{}, 0, err
	}
	n, err := io.Copy(tmp, io.LimitReader(r, max(limit, 0)+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	u := upload{Name: name, Type: typ, Path: tmp.Name(), Size: n}
	if err != nil {
		u.remove()
		return upload{}, 0, err
	}
	return u, n, nil
}

// readURLEncodedForm reads an urlencoded form (at most 4 MB, in memory:
// it carries no upload, and content it carries is decoded from there).
func readURLEncodedForm(w http.ResponseWriter, r *http.Request, spec streamSpec) (*streamedForm, error) {
	secret, err := readSecretForm(w, r, maxTextBytes, spec.secret)
	if err != nil {
		return nil, err
	}
	sf := &streamedForm{values: r.PostForm, secret: secret}
	var files int64
	for _, v := range sf.values[spec.keep] {
		if !strings.HasPrefix(v, dataPrefix) {
			if v != "" {
				sf.keeps = append(sf.keeps, keep{ref: v})
			}
			continue
		}
		if sf.tooLarge {
			continue
		}
		u, n, err := readCarried(bufio.NewReader(strings.NewReader(v)), spec.maxFiles-files)
		switch {
		case errors.Is(err, errCarriedTooLarge):
			sf.tooLarge = true
			continue
		case err != nil:
			sf.cleanup()
			return nil, err
		}
		files += n
		sf.keeps = append(sf.keeps, keep{data: &u})
	}
	delete(sf.values, spec.keep)
	return sf, nil
}

// dataPrefix starts a keep value that carries content.
const dataPrefix = "data:"

var errCarriedTooLarge = errors.New("carried attachment too large")

// A carried attachment is a keep value that holds the file itself, for a
// page that must bring a file back when no mailbox could keep it (the
// Drafts folder cannot be reached, the session ended):
//
//	data:<type>;name=<file name, query-escaped>;base64,<content>
//
// Every character of it is safe in an attribute value.

// writeCarried writes u's content as a carried keep value.
func writeCarried(w io.Writer, u upload) error {
	f, err := os.Open(u.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.WriteString(w, dataPrefix+carriedType(u.Type)+";name="+url.QueryEscape(u.Name)+";base64,"); err != nil {
		return err
	}
	enc := base64Encoder(w)
	if _, err := io.Copy(enc, f); err != nil {
		return err
	}
	return enc.Close()
}

// readCarried decodes a carried keep value into a temporary file, at
// most limit bytes of content (errCarriedTooLarge beyond).
func readCarried(r *bufio.Reader, limit int64) (upload, int64, error) {
	head, err := r.ReadSlice(',')
	if err != nil || !bytes.HasPrefix(head, []byte(dataPrefix)) {
		return upload{}, 0, errors.New("carried attachment: no data: header")
	}
	params := strings.Split(string(head[len(dataPrefix):len(head)-1]), ";")
	if len(params) < 2 || params[len(params)-1] != "base64" {
		return upload{}, 0, errors.New("carried attachment: not base64")
	}
	var name string
	for _, p := range params[1 : len(params)-1] {
		if v, ok := strings.CutPrefix(p, "name="); ok {
			name, _ = url.QueryUnescape(v)
		}
	}
	u, n, err := spool(base64Decoder(r), name, carriedType(params[0]), limit)
	if err != nil {
		return upload{}, 0, fmt.Errorf("carried attachment: %w", err)
	}
	if n > limit {
		u.remove()
		return upload{}, 0, errCarriedTooLarge
	}
	return u, n, nil
}

// carriedType is a media type fit for a carried keep value: type/subtype
// of token characters, else application/octet-stream.
func carriedType(t string) string {
	t, _, _ = strings.Cut(t, ";")
	t = strings.ToLower(strings.TrimSpace(t))
	typ, sub, ok := strings.Cut(t, "/")
	valid := func(s string) bool {
		if s == "" || len(s) > 64 {
			return false
		}
		for _, c := range s {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.ContainsRune("!#$&^_.+-", c)) {
				return false
			}
		}
		return true
	}
	if !ok || !valid(typ) || !valid(sub) {
		return "application/octet-stream"
	}
	return t
}

func base64Encoder(w io.Writer) io.WriteCloser { return base64.NewEncoder(base64.StdEncoding, w) }

func base64Decoder(r io.Reader) io.Reader { return base64.NewDecoder(base64.StdEncoding, r) }
